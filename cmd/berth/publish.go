package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth/publish"
	"berth/reconciler"
	"berth/registry"
)

// publishOptions are the flags of `publish`.
type publishOptions struct {
	withEnv, yes, app, insecure, resolveDigests bool
	ociVersion                                  string
}

func newPublishCommand(a *app) *cobra.Command {
	var o publishOptions
	cmd := &cobra.Command{
		Use:   "publish [OPTIONS] REPOSITORY[:TAG]",
		Short: "Publish compose application",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runPublish(cmd.Context(), args[0], o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.withEnv, "with-env", false, "Include environment variables in the published OCI artifact")
	f.BoolVarP(&o.yes, "yes", "y", false, `Assume "yes" as answer to all prompts`)
	f.BoolVar(&o.app, "app", false, "Published compose application (includes referenced images)")
	f.BoolVar(&o.resolveDigests, "resolve-image-digests", false, "Pin image tags to digests")
	f.StringVar(&o.ociVersion, "oci-version", "", "OCI image/artifact specification version (automatically determined by default)")
	f.BoolVar(&o.insecure, "insecure-registry", false, "Use insecure registry")
	_ = f.MarkHidden("insecure-registry")
	return cmd
}

// errCanceled is a prompt answered no: exit code 130, as Docker Compose.
var errCanceled = &exitError{code: 130, err: errors.New("operation cancelled by user")}

// runPublish checks the project as publish would send it, asks about what
// may leak, pushes the services' images and publishes it. Every refusal
// and question comes before anything is pushed.
func (a *app) runPublish(ctx context.Context, repo string, o publishOptions) error {
	ref, err := registry.ParseRef(repo)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := publish.CheckOCIVersion(o.ociVersion); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	p, err := a.load(ctx, a.composeOptions(nil))
	if err != nil {
		return err
	}
	if p, err = p.WithProfiles([]string{"*"}); err != nil { // every service is published
		return err
	}
	if err := publish.LocalIncludes(p.ComposeFiles); err != nil {
		return err
	}
	if err := publish.BuildOnly(p); err != nil {
		return err
	}
	ask := a.asker(o.yes)
	if mounts := publish.BindMounts(p); len(mounts) > 0 && !ask(bindMountsMessage(mounts)) {
		return errCanceled
	}
	found, err := publish.Sensitive(ctx, p)
	if err != nil {
		return err
	}
	if len(found) > 0 && !ask(sensitiveMessage(found)) {
		return errCanceled
	}
	services, configs, err := publish.Env(ctx, p)
	if err != nil {
		return err
	}
	if len(services) > 0 && !o.withEnv && !ask(envMessage(services)) {
		return errCanceled
	}
	if len(configs) > 0 && !ask(configsMessage(configs)) {
		return errCanceled
	}
	if err := a.pushServiceImages(ctx, p); err != nil {
		return err
	}
	ao := publish.ArtifactOptions{OCIVersion: o.ociVersion, WithEnv: o.withEnv}
	if o.resolveDigests || o.app { // the application's images are pinned as copied
		if ao.ImageDigests, err = a.imageDigestsOverride(ctx, p); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
	}
	artifact, err := publish.NewArtifact(ctx, p, ao, time.Now())
	if err != nil {
		return fmt.Errorf("publish %s: %w", repo, err)
	}
	w := a.statusWriter()
	fmt.Fprintf(w, " %s publishing\n", repo)
	if !a.global.dryRun {
		manifest, err := a.pushArtifact(ctx, ref, o.insecure, artifact)
		if err != nil {
			fmt.Fprintf(w, " %s error\n", repo)
			return err
		}
		if o.app {
			if err := a.pushAppIndex(ctx, ref, o.insecure, p, manifest); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(w, " %s published\n", repo)
	return nil
}

// pushServiceImages pushes the images the services build and name before
// the artifact that refers to them, as Docker Compose's publish does. An
// image that cannot be pushed (not built, registry refusing it) is skipped
// with a warning naming the service and the reason.
func (a *app) pushServiceImages(ctx context.Context, p *types.Project) error {
	plan, err := reconciler.NewPushPlan(p, reconciler.PushOptions{})
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if plan.Empty() { // nothing built to push: no engine needed
		return nil
	}
	eng, err := a.engine(ctx)
	if err != nil {
		return err
	}
	return a.push(ctx, eng, p, pushFlags{ignoreFailures: true})
}

// imageDigestsOverride is the override file publish --resolve-image-digests
// adds: each service's image pinned to the digest the registry holds now
// (after the push of the images the services build), as Docker Compose
// writes it.
func (a *app) imageDigestsOverride(ctx context.Context, p *types.Project) ([]byte, error) {
	p, err := p.WithImagesResolved(a.digestResolver(ctx))
	if err != nil {
		return nil, err
	}
	override := types.Project{Services: types.Services{}}
	for name, s := range p.Services {
		override.Services[name] = types.ServiceConfig{Image: s.Image}
	}
	return override.MarshalYAML()
}

// pushArtifact pushes the artifact with the user's registry logins. When
// the OCI version was left to publish and the registry refuses the OCI 1.1
// manifest, the OCI 1.0 form goes instead (the layers are there already),
// as Docker Compose does; berth also says so. It returns the manifest
// pushed.
func (a *app) pushArtifact(ctx context.Context, ref registry.Ref, insecure bool, art publish.Artifact) (publish.Blob, error) {
	creds := registry.NewCredentials(a.environ)
	blobs := make([]registry.Blob, len(art.Blobs))
	for i, b := range art.Blobs {
		blobs[i] = registry.Blob(b)
	}
	err := registry.PushArtifact(ctx, ref, creds, insecure, blobs, registry.Blob(art.Manifest))
	if err == nil || len(art.Fallback) != 2 || !registry.ManifestRefused(err) {
		return art.Manifest, err
	}
	fmt.Fprintf(a.stderr, "WARN %s refused the OCI 1.1 artifact manifest (%v); publishing it as OCI 1.0\n", ref.Host(), err)
	fallback := append([]registry.Blob{registry.Blob(art.Fallback[0])}, blobs[1:]...)
	return art.Fallback[1], registry.PushArtifact(ctx, ref, creds, insecure, fallback, registry.Blob(art.Fallback[1]))
}

// pushAppIndex is the rest of publish --app, as Docker Compose does it:
// each service's image is copied from its registry into the artifact's
// repository, then an image index of the copies, whose subject is the
// artifact's manifest, is pushed by digest.
func (a *app) pushAppIndex(ctx context.Context, ref registry.Ref, insecure bool, p *types.Project, manifest publish.Blob) error {
	var images []registry.Ref
	for _, image := range publish.AppImages(p) {
		r, err := registry.ParseRef(image)
		if err != nil {
			return fmt.Errorf("publish --app: %w", err)
		}
		images = append(images, r)
	}
	creds := registry.NewCredentials(a.environ)
	copies, err := registry.CopyImages(ctx, ref, creds, insecure, images)
	if err != nil {
		return fmt.Errorf("publish --app: %w", err)
	}
	index, err := publish.AppIndex(manifest, copies)
	if err != nil {
		return fmt.Errorf("publish --app: %w", err)
	}
	return registry.PushIndex(ctx, ref, creds, insecure, registry.Blob(index))
}

func bindMountsMessage(mounts []string) string {
	return "you are about to publish bind mounts declaration within your OCI artifact.\n" +
		"only the bind mount declarations will be added to the OCI artifact (not content)\n" +
		"please double check that you are not mounting potential user's sensitive directories or data\n" +
		strings.Join(mounts, "\n") + "\nAre you ok to publish these bind mount declarations?"
}

func sensitiveMessage(found []publish.Finding) string {
	var b strings.Builder
	b.WriteString("you are about to publish sensitive data within your OCI artifact.\n" +
		"please double check that you are not leaking sensitive data\n")
	for _, f := range found {
		fmt.Fprintf(&b, "%s\n%q: %s\n", f.Type, f.Key, f.Value)
	}
	b.WriteString("Are you ok to publish these sensitive data?")
	return b.String()
}

func envMessage(services map[string]publish.EnvFindings) string {
	var b strings.Builder
	b.WriteString("you are about to publish env-related declarations within your OCI artifact.\n" +
		"env_file paths and literal values for sensitive-looking keys are embedded as-is in the published YAML;\n" +
		"interpolated values like \"${VAR}\" are kept symbolic and have already been excluded.\n")
	for _, name := range slices.Sorted(maps.Keys(services)) {
		f := services[name]
		if f.EnvFile {
			fmt.Fprintf(&b, "  service %q: env_file declared\n", name)
		}
		if len(f.Keys) > 0 {
			quoted := make([]string, len(f.Keys))
			for i, k := range f.Keys {
				quoted[i] = fmt.Sprintf("%q", k)
			}
			fmt.Fprintf(&b, "  service %q: literal value for %s\n", name, strings.Join(quoted, ", "))
		}
	}
	b.WriteString("Use --with-env to silence this prompt and always publish env declarations.\n" +
		"Are you ok to publish these env declarations?")
	return b.String()
}

func configsMessage(configs []string) string {
	var b strings.Builder
	b.WriteString("you are about to publish literal inline config content within your OCI artifact.\n")
	for _, c := range configs {
		fmt.Fprintf(&b, "  config %q\n", c)
	}
	b.WriteString("Are you ok to publish these config contents?")
	return b.String()
}
