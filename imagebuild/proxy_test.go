package imagebuild

import (
	"io"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// The docker CLI's proxy settings are build args the file and the flags
// do not name; a name declared without a value still keeps them out.
func TestProxyBuildArgs(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM x"})
	p := &types.Project{Name: "shop", WorkingDir: dir}
	b := &types.BuildConfig{Context: ".", Args: types.MappingWithEquals{"HTTP_PROXY": ptr("file"), "no_proxy": nil}}
	proxy := map[string]string{"HTTP_PROXY": "http://cfg:3128", "http_proxy": "http://cfg:3128", "HTTPS_PROXY": "http://cfg:3129", "no_proxy": "cfg", "FTP_PROXY": "ftp://cfg"}
	req, err := NewRequest(p, service("web", b), "shop-web", Options{Proxy: proxy, Args: map[string]*string{"FTP_PROXY": ptr("flag")}})
	if err != nil {
		t.Fatal(err)
	}
	defer req.Context.(io.Closer).Close()
	args := map[string]string{}
	for k, v := range req.Args {
		args[k] = *v
	}
	want := map[string]string{"HTTP_PROXY": "file", "http_proxy": "http://cfg:3128", "HTTPS_PROXY": "http://cfg:3129", "FTP_PROXY": "flag"}
	if !equalMaps(args, want) {
		t.Errorf("Args = %v, want %v", args, want)
	}
}
