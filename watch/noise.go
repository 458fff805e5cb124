package watch

import (
	"path/filepath"
	"strings"
)

// The noise rules: paths no rule ever sees. Each one is a file an editor,
// a tool or version control writes next to the files people edit, which a
// container must not receive and which must not trigger a restart.
//
//   - directories .git, .hg, .svn: version control's own state; a commit or
//     a checkout rewrites hundreds of files there (the checked-out files
//     themselves are seen).
//   - vim: swap files .NAME.swp/.swx/.swo/.swn, backups NAME~, and the file
//     4913 vim creates to test whether a directory is writable.
//   - emacs: lock files .#NAME and auto-saves #NAME#.
//   - JetBrains IDEs: NAME___jb_tmp___ and NAME___jb_old___ (their safe
//     write), and the .idea directory.
//   - kate: .NAME.kate-swp. VS Code: NAME.crswap (its remote save swap).
//   - macOS Finder's .DS_Store, Go's NAME-go-tmp-umask probe.
var noiseDirs = map[string]bool{".git": true, ".hg": true, ".svn": true, ".idea": true}

var noiseSuffixes = []string{"~", "___jb_tmp___", "___jb_old___", ".kate-swp", ".crswap", "-go-tmp-umask"}

// Noise says whether path (host path) is noise: in a noise directory or an
// editor's temp file.
func Noise(path string) bool {
	for _, part := range strings.Split(filepath.ToSlash(filepath.Dir(path)), "/") {
		if noiseDirs[part] {
			return true
		}
	}
	return noiseName(filepath.Base(path))
}

// noiseName says whether a file or directory of that name is noise.
func noiseName(name string) bool {
	if noiseDirs[name] || name == "4913" || name == ".DS_Store" {
		return true
	}
	if strings.HasPrefix(name, ".#") || len(name) > 1 && name[0] == '#' && strings.HasSuffix(name, "#") {
		return true
	}
	if strings.HasPrefix(name, ".") {
		for _, swap := range []string{".swp", ".swx", ".swo", ".swn"} {
			if strings.HasSuffix(name, swap) {
				return true
			}
		}
	}
	for _, s := range noiseSuffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}
