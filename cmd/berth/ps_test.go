package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"berth/engine"
	"berth/project"
	"berth/reconciler"
)

func psFixture() []engine.Container {
	return []engine.Container{{
		ID: "abc", Name: "demo-web-1", Image: "busybox", Command: "docker-entrypoint.sh node server.js",
		Created: time.Now().Add(-3 * time.Minute), State: engine.StateRunning, Status: "Up 3 minutes",
		Labels: map[string]string{project.LabelService: "web", project.LabelProject: "demo"},
		Ports: []engine.Port{{HostIP: "0.0.0.0", HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
			{HostIP: "::", HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}, {ContainerPort: 443, Protocol: "tcp"}},
	}, {ID: "def", Name: "demo-db-1", Image: "redis", Command: "redis-server", State: engine.StateExited,
		Labels: map[string]string{project.LabelService: "db"}}}
}

func TestPsTable(t *testing.T) {
	var b bytes.Buffer
	cs := psFixture()
	o := psOptions{format: "table"}
	if err := o.print(&b, cs[:1]); err != nil {
		t.Fatal(err)
	}
	want := `NAME         IMAGE     COMMAND                  SERVICE   CREATED         STATUS         PORTS
demo-web-1   busybox   "docker-entrypoint.s…"   web       3 minutes ago   Up 3 minutes   0.0.0.0:8080->80/tcp, [::]:8080->80/tcp, 443/tcp
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestPsFiltersAndFormats(t *testing.T) {
	cs := psFixture()
	o := psOptions{}
	if !o.shows(cs[0], nil) || o.shows(cs[1], nil) {
		t.Error("default shows running only")
	}
	if o.shows(cs[0], []string{"exited"}) || !o.shows(cs[1], []string{"exited"}) {
		t.Error("--status exited")
	}
	if _, err := (psOptions{filter: []string{"name=x"}}).statuses(); err == nil {
		t.Error("unknown filter accepted")
	}
	for format, want := range map[string]string{
		"{{.Name}} {{.Service}}": "demo-web-1 web\ndemo-db-1 db\n",
		"json":                   `"Name":"demo-web-1"`,
	} {
		var b bytes.Buffer
		if err := (psOptions{format: format}).print(&b, cs); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s: %s", format, b.String())
		}
	}
	var b bytes.Buffer
	_ = (psOptions{quiet: true}).print(&b, cs)
	if b.String() != "abc\ndef\n" {
		t.Errorf("-q: %q", b.String())
	}
}

func TestPlainRenderer(t *testing.T) {
	var b bytes.Buffer
	r := &plainRenderer{w: &b}
	r.Event(reconciler.ProgressEvent{Kind: "Container", Name: "demo-web-1", Status: "Starting"})
	r.Event(reconciler.ProgressEvent{Kind: "Container", Name: "demo-web-1", Status: "Started", Done: true})
	r.Event(reconciler.ProgressEvent{Kind: "Container", Name: "demo-web-1", Status: "Recreated", Done: true, Reason: "config changed: environment.FOO"})
	want := " Container demo-web-1 Started\n Container demo-web-1 Recreated (config changed: environment.FOO)\n"
	if b.String() != want {
		t.Errorf("got %q", b.String())
	}
}
