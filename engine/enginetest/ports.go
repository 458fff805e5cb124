package enginetest

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"berth/engine"
)

func portCases() []testCase {
	return []testCase{
		{"PortRangeConcurrentStarts", testPortRangeConcurrent},
	}
}

// Containers publishing one host port range, started at once, each get a
// port of the range of their own: the engine allocates them one by one.
// berth still starts port-publishing containers one at a time (apply's
// port lock), so this case records the engine's own behaviour.
func testPortRangeConcurrent(t *testing.T, c *env) {
	const n = 4
	first := 42000 + int(time.Now().UnixNano()%2000)
	published := fmt.Sprintf("%d-%d", first, first+n-1)
	ids := make([]string, n)
	for i := range n {
		spec := c.spec(fmt.Sprintf("p%d", i), "sleep", "3600")
		spec.Ports = []engine.PortBinding{{Target: 80, Published: published, Protocol: "tcp"}}
		ids[i] = c.create(t, spec)
	}
	ctx := c.ctx(t)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { errs[i] = c.eng.StartContainer(ctx, id) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent starts on port range %s: %v", published, err)
	}
	owner := map[uint16]string{}
	for _, id := range ids {
		for _, p := range c.inspect(t, id).Ports { // IPv4 and IPv6: one port twice
			if p.HostPort == 0 {
				continue
			}
			if o, taken := owner[p.HostPort]; taken && o != id || int(p.HostPort) < first || int(p.HostPort) >= first+n {
				t.Errorf("host port %s of %s: taken twice or outside %s", strconv.Itoa(int(p.HostPort)), id[:12], published)
			}
			owner[p.HostPort] = id
		}
	}
}
