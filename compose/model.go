package compose

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// LoadModel reads the project the options point at as compose-go's raw
// model: the files merged, with include and extends applied, but not
// decoded into types. It is what `config --no-interpolate` and `config
// --variables` print, where a value still holding ${VAR} (a port, cpus)
// could not be decoded. Services are never selected: the model is the
// whole project. skipValidation loads files the schema would refuse as
// they stand (a port that is still "${PORT}:80").
func LoadModel(ctx context.Context, o Options, skipValidation bool) (model map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			model, err = nil, fmt.Errorf("%s: %v", panicked, r)
		}
	}()
	if o.WorkingDir == "" {
		if o.WorkingDir, err = os.Getwd(); err != nil {
			return nil, fmt.Errorf("compose: working directory: %w", err)
		}
	}
	files, _, err := configFiles(o)
	if err != nil {
		return nil, err
	}
	src := newSources(o.WorkingDir)
	configs, err := readFiles(o, files, src)
	if err != nil {
		return nil, err
	}
	dir := projectDir(o, files)
	env, err := environment(o, dir)
	if err != nil {
		return nil, src.aliasesFirst(err)
	}
	opts := append(loaderOptions(o, dir, env), func(lo *loader.Options) {
		lo.SkipValidation = lo.SkipValidation || skipValidation
	})
	model, err = loader.LoadModelWithContext(ctx,
		types.ConfigDetails{WorkingDir: dir, ConfigFiles: configs, Environment: env}, opts...)
	if err != nil {
		return nil, src.explain(err)
	}
	return model, nil
}
