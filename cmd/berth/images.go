package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"
)

func newImagesCommand(a *app) *cobra.Command {
	var format string
	var quiet bool
	cmd := &cobra.Command{
		Use:               "images [OPTIONS] [SERVICE...]",
		Short:             "List images used by the created containers",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runImages(cmd.Context(), args, format, quiet)
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "table", `Format the output. Values: [table | json]`)
	f.BoolVarP(&quiet, "quiet", "q", false, "Only display IDs")
	return cmd
}

// imageEntry is one container's image, with Docker Compose's JSON names.
type imageEntry struct {
	ID            string
	ContainerName string
	Repository    string
	Tag           string
	Size          int64
	Created       time.Time `json:"Created,omitzero"`
}

// runImages lists the image of each of the project's containers.
func (a *app) runImages(ctx context.Context, services []string, format string, quiet bool) error {
	eng, cs, err := a.readContainers(ctx, services)
	if err != nil {
		return err
	}
	var entries []imageEntry
	for _, c := range cs {
		img, err := eng.InspectImage(ctx, c.ImageID)
		if err != nil {
			return err
		}
		repo, tag := splitRef(c.Image)
		entries = append(entries, imageEntry{ID: img.ID, ContainerName: c.Name, Repository: repo, Tag: tag, Size: img.Size, Created: img.Created})
	}
	switch {
	case quiet:
		for _, e := range entries {
			fmt.Fprintln(a.stdout, e.ID)
		}
	case format == "json":
		if entries == nil {
			entries = []imageEntry{}
		}
		return json.NewEncoder(a.stdout).Encode(entries)
	case format == "table" || format == "":
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 3, ' ', 0)
		fmt.Fprintln(tw, "CONTAINER\tREPOSITORY\tTAG\tIMAGE ID\tSIZE")
		for _, e := range entries {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.ContainerName, e.Repository, e.Tag, shortID(e.ID), units.HumanSizeWithPrecision(float64(e.Size), 3))
		}
		return tw.Flush()
	default:
		return fmt.Errorf("invalid --format %q: want table or json", format)
	}
	return nil
}

// splitRef splits "repo:tag" (a registry port is not a tag); no tag is
// "latest".
func splitRef(ref string) (string, string) {
	i := strings.LastIndex(ref, ":")
	if i < 0 || strings.Contains(ref[i:], "/") {
		return ref, "latest"
	}
	return ref[:i], ref[i+1:]
}

// shortID is the 12-digit form of an ID, without its algorithm.
func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
