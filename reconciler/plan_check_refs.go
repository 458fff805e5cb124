package reconciler

import (
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/project"
)

// checkContainerNames refuses two selected services that claim the same
// container_name, before anything is created (Docker Compose's words).
func (pl *planner) checkContainerNames() []error {
	claimed := map[string]string{}
	var errs []error
	for _, name := range pl.selectedNames() {
		cn := pl.p.Services[name].ContainerName
		if cn == "" {
			continue
		}
		if other, ok := claimed[cn]; ok {
			errs = append(errs, fmt.Errorf("services.%s: container name %q is already in use by service %s", name, cn, other))
			continue
		}
		claimed[cn] = name
	}
	return errs
}

// checkDonors refuses a selected service whose network namespace or
// volumes come from a service this run does not bring up (--no-deps) and
// that has no container to give them.
func (pl *planner) checkDonors() []error {
	var errs []error
	for _, name := range pl.selectedNames() {
		s := pl.p.Services[name]
		for _, donor := range donors(s) {
			if pl.selected[donor.service] || pl.hasContainer(donor.service) {
				continue
			}
			errs = append(errs, fmt.Errorf("service %q: cannot share %s with service %s: container missing", name, donor.what, donor.service))
		}
	}
	return errs
}

type donor struct{ service, what string }

// donors are the services s takes its network namespace or volumes from.
func donors(s types.ServiceConfig) []donor {
	var out []donor
	if svc, ok := strings.CutPrefix(s.NetworkMode, "service:"); ok {
		out = append(out, donor{svc, "network namespace"})
	}
	for _, v := range s.VolumesFrom {
		if !strings.HasPrefix(v, "container:") {
			svc, _, _ := strings.Cut(v, ":")
			out = append(out, donor{svc, "volume"})
		}
	}
	return out
}

// hasContainer reports whether the service has a container of its own.
func (pl *planner) hasContainer(service string) bool {
	for _, c := range pl.st.Containers {
		if c.Labels[project.LabelService] == service && c.Labels[project.LabelOneOff] != "True" {
			return true
		}
	}
	return false
}
