// Package enginetest is the contract every reconciler.Engine must keep. Run it
// from a test with a constructor for the engine under test; the fake and the
// Docker adapter both do.
package enginetest
