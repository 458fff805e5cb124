package stack

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/swarm"
)

// mounts are the service's volumes and tmpfs: named volumes become the
// stack's volumes (<stack>_<name>, created by each node's engine on first
// use, with the stack's label), binds stay host paths, which each node
// resolves on its own file system (a warning says so).
func (tr *translator) mounts(s types.ServiceConfig, n *notes) ([]mount.Mount, error) {
	var out []mount.Mount
	for _, v := range s.Volumes {
		m := mount.Mount{Type: mount.Type(v.Type), Target: v.Target, ReadOnly: v.ReadOnly, Consistency: mount.Consistency(v.Consistency)}
		switch v.Type {
		case types.VolumeTypeVolume:
			m.Source, m.VolumeOptions = tr.volume(v)
		case types.VolumeTypeBind:
			m.Source = v.Source
			if v.Bind != nil && v.Bind.Propagation != "" {
				m.BindOptions = &mount.BindOptions{Propagation: mount.Propagation(v.Bind.Propagation)}
			}
			n.add("bind %s:%s is a path on each node: every node that runs a task needs it", v.Source, v.Target)
		case types.VolumeTypeTmpfs:
			if v.Tmpfs != nil {
				m.TmpfsOptions = &mount.TmpfsOptions{SizeBytes: int64(v.Tmpfs.Size), Mode: os.FileMode(v.Tmpfs.Mode)}
			}
		default:
			return nil, fmt.Errorf("volume %s: Swarm cannot mount type %q", v.Target, v.Type)
		}
		out = append(out, m)
	}
	for _, t := range s.Tmpfs {
		out = append(out, mount.Mount{Type: mount.TypeTmpfs, Target: t})
	}
	return out, nil
}

// volume is a named (or anonymous) volume's source and options.
func (tr *translator) volume(v types.ServiceVolumeConfig) (string, *mount.VolumeOptions) {
	opts := &mount.VolumeOptions{Labels: map[string]string{LabelNamespace: tr.stack}}
	if v.Volume != nil {
		opts.NoCopy = v.Volume.NoCopy
		opts.Subpath = v.Volume.Subpath
	}
	if v.Source == "" {
		return "", opts // anonymous
	}
	top, ok := tr.p.Volumes[v.Source]
	if !ok {
		return v.Source, opts
	}
	name := scoped(tr.stack, v.Source)
	if top.Name != "" {
		name = top.Name
	}
	if bool(top.External) {
		return name, nil
	}
	for k, val := range top.Labels {
		opts.Labels[k] = val
	}
	if top.Driver != "" || len(top.DriverOpts) > 0 {
		opts.DriverConfig = &mount.Driver{Name: top.Driver, Options: top.DriverOpts}
	}
	return name, opts
}

// secretRefs are the service's secrets as references to the Swarm
// secrets the stack creates (their IDs are filled in at apply).
func (tr *translator) secretRefs(s types.ServiceConfig) ([]*swarm.SecretReference, error) {
	var out []*swarm.SecretReference
	for _, ref := range s.Secrets {
		name, ok := tr.secrets[ref.Source]
		if !ok {
			return nil, fmt.Errorf("secret %q is not defined", ref.Source)
		}
		// The loader writes the default target as /run/secrets/<key>;
		// Swarm places a relative name under /run/secrets itself.
		target := strings.TrimPrefix(ref.Target, "/run/secrets/")
		if target == "" {
			target = ref.Source
		}
		f, err := fileTarget(types.FileReferenceConfig(ref), target)
		if err != nil {
			return nil, err
		}
		out = append(out, &swarm.SecretReference{SecretName: name, File: &swarm.SecretReferenceFileTarget{Name: f.Name, UID: f.UID, GID: f.GID, Mode: f.Mode}})
	}
	return out, nil
}

// configRefs are the service's configs, as secretRefs.
func (tr *translator) configRefs(s types.ServiceConfig) ([]*swarm.ConfigReference, error) {
	var out []*swarm.ConfigReference
	for _, ref := range s.Configs {
		name, ok := tr.configs[ref.Source]
		if !ok {
			return nil, fmt.Errorf("config %q is not defined", ref.Source)
		}
		target := ref.Target
		if target == "" {
			target = "/" + ref.Source
		}
		f, err := fileTarget(types.FileReferenceConfig(ref), target)
		if err != nil {
			return nil, err
		}
		out = append(out, &swarm.ConfigReference{ConfigName: name, File: &swarm.ConfigReferenceFileTarget{Name: f.Name, UID: f.UID, GID: f.GID, Mode: f.Mode}})
	}
	return out, nil
}

// fileTarget is where a secret or config appears in the task: uid and gid
// default to 0, the mode to 0444, as docker stack does.
func fileTarget(r types.FileReferenceConfig, target string) (swarm.SecretReferenceFileTarget, error) {
	f := swarm.SecretReferenceFileTarget{Name: target, UID: "0", GID: "0", Mode: 0o444}
	if r.UID != "" {
		f.UID = r.UID
	}
	if r.GID != "" {
		f.GID = r.GID
	}
	if r.Mode != nil {
		f.Mode = os.FileMode(*r.Mode)
	}
	if _, err := strconv.Atoi(f.UID); err != nil {
		return f, fmt.Errorf("%s: uid %q is not a number", target, f.UID)
	}
	return f, nil
}
