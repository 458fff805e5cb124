// Package testimages provides berth's offline test images: a busybox, a
// node (with npm) and a redis image, assembled from the host's Debian
// packages by build-images.sh and loaded with `docker import`, because the
// machines berth is tested on reach no registry.
//
// Tests and benchmarks call Ensure (or Require) before they use the image
// names below; the script runs once per test binary and keeps images whose
// content label already matches, so the call is cheap after the first build.
// The package imports no other berth package, so any test may use it.
package testimages
