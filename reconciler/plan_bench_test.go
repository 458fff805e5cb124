package reconciler

import (
	"fmt"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// BenchmarkWarmPlan plans a 50-service project (secrets, configs, two
// networks, two replicas each) whose containers all match: the warm up -d.
func BenchmarkWarmPlan(b *testing.B) {
	var y strings.Builder
	y.WriteString("secrets: {s: {environment: S}}\nconfigs: {c: {content: y}}\nnetworks: {front: {}, back: {}}\nservices:\n")
	for i := range 50 {
		fmt.Fprintf(&y, "  svc%d: {image: nginx, environment: {A: \"%d\", B: b}, secrets: [s], configs: [c], networks: [front, back], deploy: {replicas: 2}}\n", i, i)
	}
	dir := b.TempDir()
	p, err := loader.LoadWithContext(b.Context(), types.ConfigDetails{WorkingDir: dir,
		ConfigFiles: []types.ConfigFile{{Filename: dir + "/compose.yaml", Content: []byte(y.String())}}, Environment: types.Mapping{"S": "x"}},
		func(o *loader.Options) { o.SetProjectName("demo", true) })
	if err != nil {
		b.Fatal(err)
	}
	first, err := NewPlan(p, Observed{Images: images(p)}, UpOptions{})
	if err != nil {
		b.Fatal(err)
	}
	st := applied(b, p, first)
	b.ResetTimer()
	for b.Loop() {
		plan, err := NewPlan(p, st, UpOptions{})
		if err != nil || !plan.Empty() {
			b.Fatalf("%v %s", err, plan)
		}
	}
}
