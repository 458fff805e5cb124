package docker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"berth/engine"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/containerd/errdefs/pkg/errhttp"
	"github.com/moby/moby/api/types/container"
	mnetwork "github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// Engines before API 1.44 read a container's MAC address only from the
// container config, a field the client's types no longer have; the
// endpoint's MacAddress is ignored on create and on connect. For that one
// case berth sends the create call itself.

// legacyMac is the MAC address to put in the container config on an old
// engine; "" when there is none or the engine reads endpoints.
func (e *Engine) legacyMac(spec engine.ContainerSpec) string {
	if e.multiNetwork() {
		return ""
	}
	return spec.MacAddress
}

// legacyCreateBody is the create body with the container-level MacAddress.
type legacyCreateBody struct {
	*container.Config
	MacAddress       string `json:",omitempty"`
	HostConfig       *container.HostConfig
	NetworkingConfig *mnetwork.NetworkingConfig
}

// createLegacy is ContainerCreate with the MAC address in the config.
func (e *Engine) createLegacy(ctx context.Context, opts client.ContainerCreateOptions, mac string) (string, error) {
	if _, err := net.ParseMAC(mac); err != nil {
		return "", fmt.Errorf("mac_address %q: %w", mac, err)
	}
	body := legacyCreateBody{Config: opts.Config, MacAddress: mac, HostConfig: opts.HostConfig, NetworkingConfig: opts.NetworkingConfig}
	var out container.CreateResponse
	err := e.rawPost(ctx, "/containers/create?name="+url.QueryEscape(opts.Name), body, &out)
	return out.ID, err
}

// rawPost sends one JSON request over the client's own connection to the
// engine (unix socket, TCP or TLS alike).
func (e *Engine) rawPost(ctx context.Context, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+client.DummyHost+"/v"+e.apiVersion+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	dial := e.cli.Dialer()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return dial(ctx) }}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= http.StatusBadRequest {
		var m struct{ Message string }
		_ = json.NewDecoder(resp.Body).Decode(&m) // no body: the status says enough
		return statusError(resp.StatusCode, m.Message)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// statusError is the engine's message classified by its HTTP status, as
// the client classifies its own errors.
func statusError(code int, msg string) error {
	if msg == "" {
		msg = http.StatusText(code)
	}
	kind := errhttp.ToNative(code)
	if kind == nil {
		kind = cerrdefs.ErrUnknown
	}
	return &httpStatusError{msg: msg, kind: kind}
}

type httpStatusError struct {
	msg  string
	kind error
}

func (e *httpStatusError) Error() string { return e.msg }
func (e *httpStatusError) Unwrap() error { return e.kind }
