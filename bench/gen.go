package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"berth/internal/testimages"
)

// Shape is how the services of a generated project depend on each other.
type Shape string

// The shapes the benchmark measures.
const (
	Independent Shape = "independent" // no dependencies: everything can run at once
	Chain       Shape = "chain"       // service i depends on service i-1
	Fan         Shape = "fan"         // one root, every other service depends on it
)

// Image is the image every generated service runs.
const Image = testimages.Busybox

// command exits on SIGTERM at once, so a stop costs what the engine costs and
// not a ten-second grace period: a shell as PID 1 ignores SIGTERM unless it
// traps it, and it only runs the trap once `wait` is interrupted.
var command = []string{"sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"}

// ServiceName is the name of service i of a generated project; the numbers
// are zero-padded so that alphabetical order is creation order.
func ServiceName(i int) string {
	return fmt.Sprintf("svc-%02d", i)
}

// Generate renders a compose file of n services of the given shape.
func Generate(shape Shape, n int) ([]byte, error) {
	if n < 1 {
		return nil, fmt.Errorf("bench: %d services: need at least one", n)
	}
	var b strings.Builder
	b.WriteString("services:\n")
	for i := range n {
		fmt.Fprintf(&b, "  %s:\n    image: %s\n    command: [%s]\n", ServiceName(i), Image, quoteAll(command))
		dep, err := dependency(shape, i)
		if err != nil {
			return nil, err
		}
		if dep >= 0 {
			fmt.Fprintf(&b, "    depends_on: [%s]\n", ServiceName(dep))
		}
	}
	return []byte(b.String()), nil
}

// dependency is the index of the service i depends on, or -1.
func dependency(shape Shape, i int) (int, error) {
	switch shape {
	case Independent:
		return -1, nil
	case Chain:
		return i - 1, nil
	case Fan:
		if i == 0 {
			return -1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("bench: unknown shape %q", shape)
}

// quoteAll renders words as YAML double-quoted flow items.
func quoteAll(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = fmt.Sprintf("%q", w)
	}
	return strings.Join(q, ", ")
}

// WriteProject writes the generated compose.yaml into dir and returns its path.
func WriteProject(dir string, shape Shape, n int) (string, error) {
	b, err := Generate(shape, n)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return "", fmt.Errorf("bench: write %q: %w", path, err)
	}
	return path, nil
}
