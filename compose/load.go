package compose

import (
	"context"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// Load reads the project. (Interim: plain compose-go; located errors,
// warnings and discovery details arrive with the loader work.)
func Load(ctx context.Context, o Options) (*types.Project, []Warning, error) {
	opts, err := cli.NewProjectOptions(o.Files,
		cli.WithWorkingDirectory(firstNonEmpty(o.ProjectDirectory, o.WorkingDir)),
		cli.WithOsEnv,
		cli.WithEnvFiles(o.EnvFiles...),
		cli.WithDotEnv,
		cli.WithConfigFileEnv,
		cli.WithDefaultConfigPath,
		cli.WithName(o.ProjectName),
		cli.WithProfiles(o.Profiles),
	)
	if err != nil {
		return nil, nil, err
	}
	p, err := opts.LoadProject(ctx)
	if err != nil {
		return nil, nil, err
	}
	return p, nil, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
