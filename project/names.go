package project

import (
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Separator joins project, service and number in container names, as Docker
// Compose v2 does ("visits-web-1"), and project and service in the names of
// built images. UseCompatibilityNames makes it the underscore of Compose v1.
var Separator = "-"

// UseCompatibilityNames names containers and built images as Docker Compose
// v1 did ("visits_web_1"), for --compatibility and COMPOSE_COMPATIBILITY.
// It holds for the whole invocation: one berth command names one way.
func UseCompatibilityNames() { Separator = "_" }

// ContainerName is the name of replica n (1-based) of service s.
// container_name wins when set; it allows one replica only.
func ContainerName(projectName string, s types.ServiceConfig, n int) string {
	if s.ContainerName != "" {
		return s.ContainerName
	}
	return fmt.Sprintf("%s%s%s%s%d", projectName, Separator, s.Name, Separator, n)
}

// OneOffName is the name of a one-off container made by `run`.
func OneOffName(projectName, service, slug string) string {
	return projectName + Separator + service + Separator + "run" + Separator + slug
}

// NetworkName is the engine name of the project network key (e.g. "default").
// A network with an explicit name: (or an external one) keeps that name.
func NetworkName(p *types.Project, key string) string {
	if n, ok := p.Networks[key]; ok && n.Name != "" {
		return n.Name
	}
	return p.Name + "_" + key
}

// VolumeName is the engine name of the project volume key.
func VolumeName(p *types.Project, key string) string {
	if v, ok := p.Volumes[key]; ok && v.Name != "" {
		return v.Name
	}
	return p.Name + "_" + key
}

// ImageName is the image a service runs: image: when given, else the name
// berth gives the image it builds, "<project>-<service>".
func ImageName(p *types.Project, s types.ServiceConfig) string {
	if s.Image != "" {
		return s.Image
	}
	return p.Name + Separator + s.Name
}

// Replicas is how many containers a service wants: scale, else
// deploy.replicas, else 1.
func Replicas(s types.ServiceConfig) int {
	if s.Scale != nil {
		return *s.Scale
	}
	if s.Deploy != nil && s.Deploy.Replicas != nil {
		return *s.Deploy.Replicas
	}
	return 1
}

// NormalizeName turns a directory base name into a valid project name the way
// Docker Compose does: lowercase, keep [a-z0-9_-], and drop leading
// characters that are not a letter or a digit.
func NormalizeName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '_' || r == '-' {
			b.WriteRune(r)
		}
	}
	return strings.TrimLeft(b.String(), "_-")
}
