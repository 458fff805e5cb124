package compose

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"

	"berth/project"
)

// rich uses every common key, so the cached project is compared field by
// field against compose-go's own result.
const rich = `name: rich
x-common: &common
  labels:
    shared: "yes"
  x-note: {depth: 2, list: [1, 2.5, "three", true, null]}
services:
  web:
    <<: *common
    build:
      context: ./web
      dockerfile: Dockerfile.dev
      args: {VERSION: "1.2", EMPTY: null}
      target: dev
      labels: [a=b]
      cache_from: [web:cache]
      ssh: [default]
      x-build: {k: v}
    image: web:${TAG:-latest}
    command: ["sh", "-c", "echo $$HOME"]
    entrypoint: /bin/entry
    environment:
      SET: value
      FROM_ENV: ${FROM_ENV}
      NIL:
      EMPTY: ""
    env_file:
      - web.env
      - path: optional.env
        required: false
    label_file: web.labels
    labels:
      com.example.role: front
    ports:
      - "8080:80"
      - "127.0.0.1:9000-9001:9000-9001/udp"
      - target: 443
        published: "8443"
        protocol: tcp
        mode: host
        name: https
    volumes:
      - ./data:/data:ro
      - named:/named
      - /abs:/abs:rw,z
      - type: bind
        source: ./src
        target: /src
        bind: {create_host_path: true, propagation: rprivate}
      - type: volume
        source: named
        target: /vol
        volume: {nocopy: true, subpath: sub}
      - type: tmpfs
        target: /tmp
        tmpfs: {size: 64m, mode: 0o1777}
      - type: image
        source: busybox
        target: /img
        image: {subpath: bin}
      - /anon
    tmpfs: [/run]
    healthcheck:
      test: ["CMD", "true"]
      interval: 30s
      timeout: 1m30s
      retries: 3
      start_period: 5s
      start_interval: 1s
    deploy:
      mode: replicated
      replicas: 2
      labels: {d: e}
      resources:
        limits: {cpus: "0.5", memory: 256M, pids: 100}
        reservations: {cpus: "0.25", memory: 64M}
      restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 2m}
    secrets:
      - token
      - source: cert
        target: /run/cert.pem
        uid: "100"
        mode: 0400
    configs:
      - app
      - source: inline
        target: /etc/inline
    networks:
      front:
        aliases: [www, site]
        ipv4_address: 172.28.0.10
        priority: 10
      back: {}
    ulimits:
      nproc: 65535
      nofile: {soft: 20000, hard: 40000}
    sysctls:
      net.core.somaxconn: 1024
    depends_on:
      db:
        condition: service_healthy
        restart: true
      cache:
        condition: service_started
        required: false
    stop_grace_period: 1m5s
    stop_signal: SIGTERM
    shm_size: 128m
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    dns: [8.8.8.8]
    extra_hosts: ["host.docker.internal:host-gateway", "other=10.0.0.1"]
    logging: {driver: json-file, options: {max-size: 10m}}
    devices: ["/dev/null:/dev/nullx:rwm"]
    init: true
    read_only: true
    privileged: false
    restart: unless-stopped
    user: "1000:1000"
    working_dir: /app
    hostname: web
    gpus: all
    x-web: [1, {a: b}]
  db:
    image: postgres
    healthcheck:
      disable: true
    environment: [A=1, B]
    volumes: [dbdata:/var/lib/postgresql/data]
    networks: [back]
    expose: ["5432"]
  cache:
    image: redis
    network_mode: "none"
    scale: 0
    pull_policy: never
    mem_limit: 1g
    cpus: 1.5
  admin:
    image: admin
    profiles: [ops]
networks:
  front:
    driver: bridge
    ipam:
      config:
        - subnet: 172.28.0.0/16
          gateway: 172.28.0.1
    labels: [n=1]
    x-net: true
  back:
    internal: true
  outside:
    external: true
    name: real-outside
volumes:
  named: {}
  dbdata:
    driver: local
    driver_opts: {type: none, o: bind, device: /srv}
  ext:
    external: true
secrets:
  token:
    file: ./token.txt
  cert:
    environment: CERT
configs:
  app:
    file: ./app.conf
  inline:
    content: |
      key=${FROM_ENV}
x-top: {n: 7}
`

// richFiles are rich's compose file and the files it names.
var richFiles = map[string]string{
	"compose.yaml": rich, "web.env": "FROM_FILE=1\nSET=overridden\n", "web.labels": "lf=1\n",
	"token.txt": "t", "app.conf": "c", ".env": "TAG=7\n",
}

// sameProject fails unless got is indistinguishable from want for berth:
// deeply equal, equal config hashes, equal `config` output.
func sameProject(t *testing.T, got, want *types.Project) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("projects differ:\n%#v\nwant\n%#v", got, want)
	}
	if len(want.Services) == 0 {
		t.Fatal("no services to compare")
	}
	for name, s := range want.Services {
		if g, w := project.ConfigHash(got.Services[name]), project.ConfigHash(s); g != w {
			t.Errorf("config hash of %s: %s, want %s", name, g, w)
		}
	}
	gy, err1 := got.MarshalYAML()
	wy, err2 := want.MarshalYAML()
	gj, err3 := got.MarshalJSON()
	wj, err4 := want.MarshalJSON()
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		t.Fatal(err1, err2, err3, err4)
	}
	if !bytes.Equal(gy, wy) || !bytes.Equal(gj, wj) {
		t.Errorf("config output differs:\n%s\nwant\n%s", gy, wy)
	}
}

func richOptions(dir, cacheHome string, profiles ...string) Options {
	return Options{WorkingDir: dir, Profiles: profiles,
		Environ: []string{"XDG_CACHE_HOME=" + cacheHome, "FROM_ENV=env", "CERT=pem"}}
}

// entryFile is the one cache entry below cacheHome.
func entryFile(t *testing.T, cacheHome string) string {
	t.Helper()
	entries, _ := filepath.Glob(filepath.Join(cacheHome, "berth", "projects", "[0-9a-f]*"))
	if len(entries) != 1 {
		t.Fatalf("cache entries: %v, want one", entries)
	}
	return entries[0]
}

func TestProjectCacheIsIndistinguishable(t *testing.T) {
	dir, cacheHome := t.TempDir(), t.TempDir()
	writeFiles(t, dir, richFiles)
	for _, profiles := range [][]string{nil, {"ops"}} {
		fresh, freshWarn, err := Load(t.Context(), richOptions(dir, cacheHome, profiles...))
		if err != nil {
			t.Fatal(err)
		}
		if (profiles == nil) != (len(fresh.DisabledServices) > 0) || fresh.Services["web"].Environment["NIL"] != nil || len(freshWarn) == 0 {
			t.Fatalf("the rich file lost its point: disabled %v, warnings %v", fresh.DisabledServices, freshWarn)
		}
		cached, cachedWarn, err := Load(t.Context(), richOptions(dir, cacheHome, profiles...))
		if err != nil {
			t.Fatal(err)
		}
		sameProject(t, cached, fresh)
		if !reflect.DeepEqual(cachedWarn, freshWarn) {
			t.Errorf("warnings: %v, want %v", cachedWarn, freshWarn)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(cacheHome, "berth", "projects"))
	if len(entries) != 2 {
		t.Errorf("entries: %d, want one per profile set", len(entries))
	}
	for _, e := range entries {
		// The second loads above were served from these.
		b, _ := os.ReadFile(filepath.Join(cacheHome, "berth", "projects", e.Name()))
		if _, err := decodeEntry(e.Name(), b); err != nil {
			t.Errorf("entry %s: %v", e.Name(), err)
		}
	}
}

// TestProjectCodecRoundTrip covers what the cache never stores (extends,
// version, develop) too: the codec itself is exact for all of it.
func TestProjectCodecRoundTrip(t *testing.T) {
	dir := t.TempDir()
	files := maps.Clone(richFiles)
	files["compose.yaml"] = "version: '3.9'\n" + strings.Replace(rich, "\n  cache:\n    image: redis\n", `
  base:
    image: base
    read_only: true
  watcher:
    image: w
    develop:
      watch: [{path: ./web, action: sync, target: /app}]
  cache:
    extends: base
    image: redis
`, 1)
	writeFiles(t, dir, files)
	fresh, found := loadFound(t, richOptions(dir, ""))
	b, err := encodeEntry("k", entry{project: fresh, found: found})
	if err == nil {
		t.Fatal("a project with develop was encoded")
	}
	delete(fresh.Services, "watcher")
	logs := []logLine{{Level: 3, Msg: "careful"}}
	if b, err = encodeEntry("k", entry{project: fresh, found: found, logs: logs}); err != nil {
		t.Fatal(err)
	}
	got, err := decodeEntry("k", b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.logs, logs) {
		t.Errorf("logs: %v, want %v", got.logs, logs)
	}
	sameProject(t, got.project, fresh)
	if !slices.Equal(paths(got.found), paths(found)) || len(found) == 0 {
		t.Errorf("unsupported keys: %v, want %v", paths(got.found), paths(found))
	}
}

// loadFound loads as Load does, without any cache, and also returns the
// unsupported keys compose-go found.
func loadFound(t *testing.T, o Options) (*types.Project, []loader.UnsupportedAttribute) {
	t.Helper()
	files, _, err := configFiles(o)
	if err != nil {
		t.Fatal(err)
	}
	src := newSources(o.WorkingDir)
	configs, err := readFiles(o, files, src)
	if err != nil {
		t.Fatal(err)
	}
	dir := projectDir(o, files)
	env, err := environment(o, dir)
	if err != nil {
		t.Fatal(err)
	}
	p, found, err := loadModel(t.Context(), o, dir, configs, env, src)
	if err != nil {
		t.Fatal(err)
	}
	return p, found
}

func paths(found []loader.UnsupportedAttribute) []string {
	var out []string
	for _, f := range found {
		out = append(out, string(f.Path))
	}
	return out
}

// rewriteEntry replaces the project stored in file (for key) by edit's.
func rewriteEntry(t *testing.T, file string, edit func(*types.Project)) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Base(file)
	en, err := decodeEntry(key, b)
	if err != nil {
		t.Fatal(err)
	}
	edit(en.project)
	if b, err = encodeEntry(key, en); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func image(t *testing.T, dir, cacheHome string) string {
	t.Helper()
	p, _, err := Load(t.Context(), Options{WorkingDir: dir, Environ: []string{"XDG_CACHE_HOME=" + cacheHome}})
	if err != nil {
		t.Fatal(err)
	}
	return p.Services["web"].Image
}

func TestProjectCacheServesEntryAndIgnoresCorruptOnes(t *testing.T) {
	dir, cacheHome := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": web})
	wantEqual(t, "first load", image(t, dir, cacheHome), "nginx")
	file := entryFile(t, cacheHome)
	rewriteEntry(t, file, func(p *types.Project) {
		s := p.Services["web"]
		s.Image = "from-cache"
		p.Services["web"] = s
	})
	wantEqual(t, "load with an entry", image(t, dir, cacheHome), "from-cache")

	good, _ := os.ReadFile(file)
	for name, bad := range map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)/2],
		"flipped":   append(slices.Clone(good[:len(good)-1]), good[len(good)-1]^1),
		"garbage":   bytes.Repeat([]byte{0xff}, 4096),
	} {
		if err := os.WriteFile(file, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		wantEqual(t, name+" entry", image(t, dir, cacheHome), "nginx")
		if b, _ := os.ReadFile(file); bytes.Equal(b, bad) {
			t.Errorf("%s entry was not replaced", name)
		}
	}
}

func TestProjectCacheWatchesEnvAndLabelFiles(t *testing.T) {
	dir, cacheHome := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{
		"compose.yaml": "services:\n  web:\n    image: nginx\n    env_file: [a.env, {path: opt.env, required: false}]\n    label_file: l.txt\n",
		"a.env":        "A=1\n", "l.txt": "L=1\n",
	})
	load := func() string {
		p, _, err := Load(t.Context(), Options{WorkingDir: dir, Environ: []string{"XDG_CACHE_HOME=" + cacheHome}})
		if err != nil {
			t.Fatal(err)
		}
		s := p.Services["web"]
		var opt string
		if v := s.Environment["OPT"]; v != nil {
			opt = *v
		}
		return *s.Environment["A"] + " " + opt + " " + s.Labels["L"]
	}
	wantEqual(t, "first", load(), "1  1")
	wantEqual(t, "cached", load(), "1  1")
	writeFiles(t, dir, map[string]string{"a.env": "A=2\n"})
	wantEqual(t, "env_file changed", load(), "2  1")
	writeFiles(t, dir, map[string]string{"opt.env": "OPT=o\n"})
	wantEqual(t, "optional env_file appeared", load(), "2 o 1")
	writeFiles(t, dir, map[string]string{"l.txt": "L=2\n"})
	wantEqual(t, "label_file changed", load(), "2 o 2")
	os.Remove(filepath.Join(dir, "opt.env"))
	wantEqual(t, "optional env_file gone", load(), "2  2")
}

func TestProjectCacheSelectsFromTheWholeProject(t *testing.T) {
	dir, cacheHome := t.TempDir(), t.TempDir()
	writeFiles(t, dir, richFiles)
	o := richOptions(dir, cacheHome)
	if _, _, err := Load(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	o.Services = []string{"web", "admin"}
	cached, cachedWarn, err := Load(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(cacheHome, "berth", "projects"))
	fresh, freshWarn, err := Load(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	sameProject(t, cached, fresh)
	if !reflect.DeepEqual(cachedWarn, freshWarn) {
		t.Errorf("warnings: %v, want %v", cachedWarn, freshWarn)
	}
	wantEqual(t, "services", services(cached), "admin,cache,db,web")
}

func TestProjectCacheStoresNoFailure(t *testing.T) {
	dir, cacheHome := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": "services:\n  web:\n    image: ${NEED:?set NEED}\n"})
	for range 2 {
		if _, _, err := Load(t.Context(), Options{WorkingDir: dir, Environ: []string{"XDG_CACHE_HOME=" + cacheHome}}); err == nil {
			t.Fatal("a missing required variable loaded")
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(cacheHome, "berth", "projects")); len(entries) != 0 {
		t.Errorf("a failed load left %d entries", len(entries))
	}
}

func TestPruneProjectsKeepsTheNewest(t *testing.T) {
	dir := t.TempDir()
	base := time.Now()
	for i := range 5 {
		name := filepath.Join(dir, fmt.Sprintf("e%d", i))
		writeFiles(t, dir, map[string]string{filepath.Base(name): "x"})
		at := base.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(name, at, at); err != nil {
			t.Fatal(err)
		}
	}
	pruneProjects(dir, 2)
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	wantEqual(t, "kept", strings.Join(names, ","), "e3,e4")
}

func TestProjectCacheRepeatsComposeGoLogs(t *testing.T) {
	dir, cacheHome := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx:${UNSET_TAG}\n    read_only: yes\n"})
	std := logrus.StandardLogger()
	var buf bytes.Buffer
	out, formatter := std.Out, std.Formatter
	std.SetOutput(&buf)
	std.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})
	t.Cleanup(func() { std.SetOutput(out); std.SetFormatter(formatter) })
	var logged []string
	for range 2 {
		buf.Reset()
		if _, _, err := Load(t.Context(), Options{WorkingDir: dir, Environ: []string{"XDG_CACHE_HOME=" + cacheHome}}); err != nil {
			t.Fatal(err)
		}
		logged = append(logged, buf.String())
	}
	if !strings.Contains(logged[0], `The \"UNSET_TAG\" variable is not set`) {
		t.Fatalf("fresh load logged %q", logged[0])
	}
	entryFile(t, cacheHome)
	wantEqual(t, "cached load's log", logged[1], logged[0])
}
