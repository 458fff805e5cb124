package imagebuild

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/project"
)

// Neither builder takes named contexts through the engine's build API, so
// berth gives each of a build's additional_contexts a stage of its own,
// which the Dockerfile's FROM name, COPY --from=name and RUN
// --mount=from=name then find: a local directory is built first into a
// context image (FROM scratch, COPY . /, labelled with the project, so
// down --rmi and label clean-ups find it), an image (docker-image://) or
// another service's image (service:) is used as it is. The stages go in
// before the Dockerfile's first FROM, after its directives and global ARGs.

// contextStage is one additional context as a stage of the build.
type contextStage struct {
	name  string
	image string   // what the stage is FROM
	build *Request // the context image's build; nil for an image
}

// additionalContexts resolves build.additional_contexts in name order.
func additionalContexts(p *types.Project, s types.ServiceConfig, imageName string, o Options) ([]contextStage, error) {
	ctxs := s.Build.AdditionalContexts
	var out []contextStage
	for _, name := range slices.Sorted(maps.Keys(ctxs)) {
		st, err := contextStageOf(p, s, imageName, name, ctxs[name], o)
		if err != nil {
			return nil, fmt.Errorf("additional_contexts.%s: %w", name, err)
		}
		out = append(out, st)
	}
	return out, nil
}

func contextStageOf(p *types.Project, s types.ServiceConfig, imageName, name, value string, o Options) (contextStage, error) {
	if ref, ok := strings.CutPrefix(value, "docker-image://"); ok {
		return contextStage{name: name, image: ref}, nil
	}
	if svc, ok := strings.CutPrefix(value, types.ServicePrefix); ok {
		other, found := p.Services[svc]
		if !found {
			return contextStage{}, fmt.Errorf("no such service: %s", svc)
		}
		return contextStage{name: name, image: project.ImageName(p, other)}, nil
	}
	if isRemote(value) {
		return contextStage{}, fmt.Errorf("context %q is not a local directory or an image", value)
	}
	image := contextImageName(imageName, name)
	cs := s
	cs.Build = &types.BuildConfig{Context: value, DockerfileInline: "FROM scratch\nCOPY . /\n"}
	req, err := NewRequest(p, cs, image, Options{Classic: o.Classic})
	if err != nil {
		return contextStage{}, err
	}
	return contextStage{name: name, image: image, build: &req}, nil
}

var unsafeName = regexp.MustCompile(`[^a-z0-9_.-]+`)

// contextImageName names the image of a local additional context after
// the image it serves.
func contextImageName(imageName, name string) string {
	repo := imageName
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		repo = repo[:i]
	}
	return repo + "-context-" + strings.Trim(unsafeName.ReplaceAllString(strings.ToLower(name), "-"), "-.")
}

// withContextStages inserts one "FROM image AS name" line per context
// before the Dockerfile's first FROM. shift is where the lines went in and
// how many, so lines the engine reports map back to the user's file.
func withContextStages(src []byte, stages []contextStage) ([]byte, lineShift) {
	lines := strings.SplitAfter(string(src), "\n")
	at := firstFrom(lines)
	var add []string
	for _, st := range stages {
		add = append(add, fmt.Sprintf("FROM %s AS %s\n", st.image, st.name))
	}
	if at > 0 && !strings.HasSuffix(lines[at-1], "\n") {
		lines[at-1] += "\n"
	}
	out := slices.Concat(lines[:at], add, lines[at:])
	return []byte(strings.Join(out, "")), lineShift{after: at, by: len(add)}
}

// firstFrom is the index of the line that holds the first FROM (the end
// when there is none).
func firstFrom(lines []string) int {
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) > 0 && strings.EqualFold(f[0], "FROM") {
			return i
		}
	}
	return len(lines)
}

// lineShift maps a line of the Dockerfile berth sent back to the user's.
type lineShift struct{ after, by int }

func (s lineShift) original(line int) int {
	if line > s.after+s.by {
		return line - s.by
	}
	return line
}
