// Package enginetest is the contract every engine.Engine must keep. Run it
// from a test with a constructor for the engine under test; the fake and the
// Docker adapter both do, and the real engine is the truth the fake follows.
//
// Containers run busybox commands from Config.Image, kept within what the
// fake's command interpreter understands (sh -c with echo, cat, exit, sleep,
// true, false). Every case works in its own project (berth-test-<random>),
// removes what it made in t.Cleanup, and awaits engine events or
// WaitContainer, never a sleep; every blocking wait has a timeout.
package enginetest
