package project

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// The labels Docker Compose puts on what it creates. berth writes the same
// ones, so either tool can manage a project the other started, and finds its
// resources again only through LabelProject.
const (
	LabelProject         = "com.docker.compose.project"
	LabelService         = "com.docker.compose.service"
	LabelNumber          = "com.docker.compose.container-number"
	LabelOneOff          = "com.docker.compose.oneoff"
	LabelConfigHash      = "com.docker.compose.config-hash"
	LabelImage           = "com.docker.compose.image"
	LabelDependsOn       = "com.docker.compose.depends_on"
	LabelVersion         = "com.docker.compose.version"
	LabelWorkingDir      = "com.docker.compose.project.working_dir"
	LabelConfigFiles     = "com.docker.compose.project.config_files"
	LabelEnvironmentFile = "com.docker.compose.project.environment_file"
	LabelNetwork         = "com.docker.compose.network"
	LabelVolume          = "com.docker.compose.volume"
	LabelSlug            = "com.docker.compose.slug"
	LabelContainerName   = "com.docker.compose.container_name"
	// LabelHook marks the container a pre_start hook runs in ("pre_start").
	LabelHook = "com.docker.compose.hook"
)

// The labels berth adds beside Compose's. Docker Compose ignores them; berth
// reads them to say why a container or network no longer matches the file.
const (
	// LabelConfigFields holds short digests of each field of the service a
	// container was created from (per key for environment and labels), so
	// that a later plan can say which field changed: "config changed:
	// environment.FOO". LabelConfigHash alone only says that something did.
	LabelConfigFields = "io.berth.config-fields"
	// LabelInjected digests the secrets and configs berth writes into a
	// container, so that a changed value recreates it although the
	// service's own config hash is the same.
	LabelInjected = "io.berth.injected"
	// LabelNetworkFields holds short digests of the settings berth created a
	// network with (driver_opts, ipam, internal, attachable, enable_ipv6),
	// since the engine's network listing does not report them all.
	LabelNetworkFields = "io.berth.network-fields"
	// LabelReplaces marks a replacement container with the name it takes
	// once the container it replaces is gone: it is created under a
	// temporary name, then renamed. A container whose name differs from
	// this label is what a recreate interrupted before its rename left
	// behind (IsLeftover).
	LabelReplaces = "io.berth.replaces"
)

// Version is the value of LabelVersion: the Compose version whose behaviour
// berth follows. Docker Compose compares it when it meets a container.
const Version = "2.29.0"

// ContainerLabels are the labels of replica n of service s. The service's own
// labels come first so the compose labels cannot be overridden.
func ContainerLabels(p *types.Project, s types.ServiceConfig, n int, configHash, imageID string) map[string]string {
	l := maps.Clone(map[string]string(s.Labels))
	if l == nil {
		l = map[string]string{}
	}
	l[LabelProject] = p.Name
	l[LabelService] = s.Name
	l[LabelNumber] = strconv.Itoa(n)
	l[LabelOneOff] = "False"
	l[LabelConfigHash] = configHash
	l[LabelImage] = imageID
	l[LabelDependsOn] = DependsOnLabel(s)
	l[LabelVersion] = Version
	l[LabelWorkingDir] = p.WorkingDir
	l[LabelConfigFiles] = strings.Join(p.ComposeFiles, ",")
	return l
}

// DependsOnLabel renders depends_on as Docker Compose does:
// "db:service_healthy:false,cache:service_started:true" (name:condition:restart),
// sorted by name.
func DependsOnLabel(s types.ServiceConfig) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(s.DependsOn)) {
		d := s.DependsOn[name]
		parts = append(parts, name+":"+d.Condition+":"+strconv.FormatBool(d.Restart))
	}
	return strings.Join(parts, ",")
}

// NetworkLabels are the labels of the project network key.
func NetworkLabels(p *types.Project, key string) map[string]string {
	l := maps.Clone(map[string]string(p.Networks[key].Labels))
	if l == nil {
		l = map[string]string{}
	}
	l[LabelProject] = p.Name
	l[LabelNetwork] = key
	l[LabelVersion] = Version
	return l
}

// VolumeLabels are the labels of the project volume key.
func VolumeLabels(p *types.Project, key string) map[string]string {
	l := maps.Clone(map[string]string(p.Volumes[key].Labels))
	if l == nil {
		l = map[string]string{}
	}
	l[LabelProject] = p.Name
	l[LabelVolume] = key
	l[LabelVersion] = Version
	return l
}

// IsLeftover says whether a container with these labels and this name is a
// replacement that was never renamed: a recreate stopped before its end.
func IsLeftover(name string, labels map[string]string) bool {
	final, ok := labels[LabelReplaces]
	return ok && final != strings.TrimPrefix(name, "/")
}
