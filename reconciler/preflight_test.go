package reconciler_test

import (
	"strings"
	"testing"

	"berth/engine/fake"
	"berth/reconciler"
)

// TestBadInputCreatesNothing: every input that cannot work fails up before
// any network, volume or container exists.
func TestBadInputCreatesNothing(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"external network", `
services: {web: {image: busybox, command: [sleep, inf], networks: [outside]}, db: {image: busybox, command: [sleep, inf]}}
networks: {outside: {external: true, name: corp-net}}`, `service "web": network corp-net declared as external, but could not be found`},
		{"external volume", `
services: {web: {image: busybox, command: [sleep, inf], volumes: [data:/data]}}
volumes: {data: {external: true, name: corp-data}}`, `service "web": external volume "corp-data" not found`},
		{"missing image", `
services: {web: {image: busybox, command: [sleep, inf]}, app: {image: nowhere/app}}`, `service "app": image "nowhere/app"`},
		{"secret file", `
services: {web: {image: busybox, command: [sleep, inf], secrets: [token]}}
secrets: {token: {file: ./no-such-token}}`, `service "web": secret "token": file `},
		{"port twice", `
services:
  a: {image: busybox, command: [sleep, inf], ports: ["8080:80"]}
  b: {image: busybox, command: [sleep, inf], ports: ["8080:80"]}`, `service "b": host port 0.0.0.0:8080/tcp is already published by service "a"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eng := fake.New("busybox")
			p := load(t, c.yaml)
			err := up(t, eng, p, reconciler.UpOptions{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			for _, m := range []string{"CreateNetwork", "CreateVolume", "CreateContainer", "StartContainer"} {
				if n := eng.Calls(m); n != 0 {
					t.Errorf("%d %s calls", n, m)
				}
			}
			if nets, _ := eng.ListNetworks(t.Context(), p.Name); len(nets) != 0 {
				t.Errorf("networks %v", nets)
			}
		})
	}
}
