package registry

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// oldRegistry is the registry API's push half, as a registry that predates
// OCI 1.1 answers it: it refuses a manifest with an artifactType (400
// MANIFEST_INVALID) and keeps everything else.
type oldRegistry struct {
	mu        sync.Mutex
	blobs     map[string]bool
	manifests map[string]string // tag → body
}

func (r *oldRegistry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	body, _ := io.ReadAll(req.Body)
	path := req.URL.Path
	switch {
	case req.Method == http.MethodHead && strings.Contains(path, "/blobs/"):
		if !r.blobs[path[strings.LastIndex(path, "/")+1:]] {
			w.WriteHeader(http.StatusNotFound)
		}
	case req.Method == http.MethodPost && strings.HasSuffix(path, "/blobs/uploads/"):
		w.Header().Set("Location", path+"u1")
		w.WriteHeader(http.StatusAccepted)
	case req.Method == http.MethodPut && strings.Contains(path, "/blobs/uploads/"):
		r.blobs[req.URL.Query().Get("digest")] = true
		w.Header().Set("Docker-Content-Digest", req.URL.Query().Get("digest"))
		w.WriteHeader(http.StatusCreated)
	case req.Method == http.MethodHead && strings.Contains(path, "/manifests/"):
		w.WriteHeader(http.StatusNotFound)
	case req.Method == http.MethodPut && strings.Contains(path, "/manifests/"):
		if strings.Contains(string(body), `"artifactType"`) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]}`)
			return
		}
		r.manifests[path[strings.LastIndex(path, "/")+1:]] = string(body)
		w.Header().Set("Docker-Content-Digest", digest.FromBytes(body).String())
		w.WriteHeader(http.StatusCreated)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func testBlob(mediaType, data string) Blob {
	return Blob{Desc: v1.Descriptor{MediaType: mediaType, Digest: digest.FromString(data), Size: int64(len(data))}, Data: []byte(data)}
}

// TestManifestRefused: a refused manifest is told apart (publish then
// pushes its OCI 1.0 form), a refused blob or a login failure is not.
func TestManifestRefused(t *testing.T) {
	reg := &oldRegistry{blobs: map[string]bool{}, manifests: map[string]string{}}
	srv := httptest.NewServer(reg)
	defer closeServer(srv)
	ref, err := ParseRef(strings.TrimPrefix(srv.URL, "http://") + "/app:v1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, creds := context.Background(), NewCredentials([]string{"DOCKER_CONFIG=" + t.TempDir()})
	layer := testBlob("application/vnd.docker.compose.file+yaml", "services: {}\n")
	withType := testBlob(v1.MediaTypeImageManifest, `{"schemaVersion":2,"artifactType":"x"}`)
	err = PushArtifact(ctx, ref, creds, false, []Blob{layer}, withType)
	if !ManifestRefused(err) {
		t.Fatalf("refused OCI 1.1 manifest: %v, want ManifestRefused", err)
	}
	plain := testBlob(v1.MediaTypeImageManifest, `{"schemaVersion":2}`)
	if err := PushArtifact(ctx, ref, creds, false, []Blob{layer}, plain); err != nil {
		t.Fatalf("OCI 1.0 form: %v", err)
	}
	if reg.manifests["v1"] != `{"schemaVersion":2}` {
		t.Errorf("tag v1 holds %q", reg.manifests["v1"])
	}
	for code, want := range map[int]bool{400: true, 404: true, 401: false, 403: false, 407: false, 500: false} {
		deny := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if strings.Contains(req.URL.Path, "/manifests/") && req.Method == http.MethodPut {
				w.WriteHeader(code)
				return
			}
			reg.ServeHTTP(w, req)
		}))
		r, _ := ParseRef(strings.TrimPrefix(deny.URL, "http://") + "/app:v1")
		if got := ManifestRefused(PushArtifact(ctx, r, creds, false, []Blob{layer}, plain)); got != want {
			t.Errorf("manifest answered %d: ManifestRefused %v, want %v", code, got, want)
		}
		closeServer(deny)
	}
	blobDenied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodPost {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		reg.ServeHTTP(w, req)
	}))
	defer closeServer(blobDenied)
	r, _ := ParseRef(strings.TrimPrefix(blobDenied.URL, "http://") + "/other:v1")
	fresh := testBlob("application/vnd.docker.compose.file+yaml", "services: {a: {image: b}}\n")
	if err := PushArtifact(ctx, r, creds, false, []Blob{fresh}, plain); err == nil || ManifestRefused(err) {
		t.Errorf("refused blob: %v, want an error that is no manifest refusal", err)
	}
}

// closeServer cuts the client connections first: a push the server refused
// may leave its upload unread, and Close alone would wait for that
// handler forever.
func closeServer(s *httptest.Server) {
	s.CloseClientConnections()
	s.Close()
}
