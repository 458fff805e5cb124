package imagebuild

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	controlapi "github.com/moby/buildkit/api/services/control"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func at(sec float64) *timestamppb.Timestamp {
	return timestamppb.New(t0.Add(time.Duration(sec * float64(time.Second))))
}

func traceBytes(t *testing.T, st *controlapi.StatusResponse) []byte {
	t.Helper()
	b, err := proto.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// traceBuilder plays BuildKit status messages, then fails with err.
type traceBuilder struct {
	msgs []*controlapi.StatusResponse
	err  error
}

func (b traceBuilder) BuildImage(_ context.Context, _ Request, out Output) (string, error) {
	out(Message{Builder: BuilderBuildKit})
	for _, m := range b.msgs {
		bs, _ := proto.Marshal(m)
		out(Message{Trace: bs})
	}
	return "sha256:x", b.err
}

func TestTracePlainLinesAndFailure(t *testing.T) {
	src := "FROM base AS deps\nRUN echo deps\nFROM deps\n# a comment\nRUN echo a && \\\n  exit 3\n"
	msgs := []*controlapi.StatusResponse{
		{Vertexes: []*controlapi.Vertex{
			{Digest: "d1", Name: "[deps 1/2] FROM base", Cached: true, Started: at(0), Completed: at(0)},
			{Digest: "d3", Name: "[stage-1 1/1] RUN echo a && exit 3"},
			{Digest: "d2", Name: "[deps 2/2] RUN echo deps", Started: at(1)},
		}},
		{Logs: []*controlapi.VertexLog{{Vertex: "d2", Timestamp: at(1.5), Msg: []byte("deps\npart")}}},
		{Vertexes: []*controlapi.Vertex{{Digest: "d2", Name: "[deps 2/2] RUN echo deps", Started: at(1), Completed: at(3)}}},
		{Vertexes: []*controlapi.Vertex{{Digest: "d3", Name: "[stage-1 1/1] RUN echo a && exit 3", Started: at(3)}}},
		{Logs: []*controlapi.VertexLog{{Vertex: "d3", Timestamp: at(3.25), Msg: []byte("a\n")}}},
		{Vertexes: []*controlapi.Vertex{{Digest: "d3", Name: "[stage-1 1/1] RUN echo a && exit 3", Started: at(3), Completed: at(4), Error: "exit code: 3"}}},
	}
	var lines, steps []string
	engineErr := errors.New("executor failed running [/bin/sh -c echo a && exit 3]: exit code: 3")
	req := Request{Service: "web", file: "Dockerfile", dockerfile: func() []byte { return []byte(src) }}
	_, err := Run(t.Context(), traceBuilder{msgs: msgs, err: engineErr}, req, func(e Event) {
		if e.Line != "" {
			lines = append(lines, e.Line)
		}
		if e.Step != "" {
			steps = append(steps, e.Step)
		}
	})
	want := []string{
		"building with BuildKit",
		"#1 [deps 1/2] FROM base", "#1 CACHED",
		"#2 [deps 2/2] RUN echo deps",
		"#2 0.500 deps",
		"#2 2.000 part", "#2 DONE 2.0s",
		"#3 [stage-1 1/1] RUN echo a && exit 3",
		"#3 0.250 a",
		"#3 ERROR: exit code: 3",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if last := steps[len(steps)-1]; last != "[stage-1 1/1] RUN echo a && exit 3 ERROR" {
		t.Errorf("last step %q", last)
	}
	wantErr := "service \"web\": build failed at Dockerfile:5: RUN echo a && exit 3: " + engineErr.Error() + "\n  > a"
	if err == nil || err.Error() != wantErr || !errors.Is(err, engineErr) {
		t.Errorf("err = %v\nwant %s", err, wantErr)
	}
}

func TestDockerfileLines(t *testing.T) {
	src := "# syntax=docker/dockerfile:1\nARG V=1\nFROM busybox AS base\nRUN a\n\nFROM base AS a\nCOPY x \\\n  /x\nRUN b\nFROM busybox\nCOPY --from=a /x /x\n"
	d := parseDockerfile([]byte(src))
	if d.Syntax != "docker/dockerfile:1" {
		t.Errorf("syntax %q", d.Syntax)
	}
	for name, line := range map[string]int{
		"[base 1/2] FROM docker.io/library/busybox": 3,
		"[base 2/2] RUN a":                          4,
		"[a 1/2] COPY x /x":                         7,
		"[a 2/2] RUN b":                             9,
		"[stage-2 2/2] COPY --from=a /x /x":         11,
		"[2/2] COPY --from=a /x /x":                 11,
		"[internal] load metadata":                  0,
	} {
		if got := d.lineOf(name); got != line {
			t.Errorf("lineOf(%q) = %d, want %d", name, got, line)
		}
	}
	if got, ok := locateParseError("Dockerfile", "failed to create LLB definition: dockerfile parse error line 3: unknown instruction: FOO", lineShift{}); !ok || got != "Dockerfile:3: unknown instruction: FOO" {
		t.Errorf("parse error = %q", got)
	}
}
