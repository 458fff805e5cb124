//go:build !unix

package imagebuild

import "errors"

func mkfifo(string) error { return errors.New("no fifos") }
