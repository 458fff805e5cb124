package reconciler

import (
	"testing"

	"berth/engine"
	"berth/network"
)

// TestProjectFromObjects: services, replicas, depends_on, networks and
// volumes come back from the labels; one-off containers and dependencies
// without containers do not.
func TestProjectFromObjects(t *testing.T) {
	label := func(svc, n, deps string) map[string]string {
		return map[string]string{"com.docker.compose.project": "shop", "com.docker.compose.service": svc,
			"com.docker.compose.container-number": n, "com.docker.compose.depends_on": deps,
			"com.docker.compose.oneoff": "False"}
	}
	run := label("web", "1", "")
	run["com.docker.compose.oneoff"] = "True"
	p := projectFromObjects("shop",
		[]engine.Container{
			{Name: "shop-db-1", Image: "pg", Labels: label("db", "1", ""), Networks: []string{"shop_back"}},
			{Name: "shop-db-2", Image: "pg", Labels: label("db", "2", ""), Networks: []string{"shop_back"}},
			{Name: "shop-web-1", Image: "nginx", Labels: label("web", "1", "db:service_healthy:true,gone:service_started:false"), Networks: []string{"shop_default", "shop_back"}},
			{Name: "shop-web-run-1", Image: "nginx", Labels: run},
			{Name: "proxy", Image: "haproxy", Labels: label("proxy", "1", "web"), Networks: []string{"host"}},
		},
		[]network.Info{{Name: "shop_default", Labels: map[string]string{"com.docker.compose.network": "default"}},
			{Name: "shop_back", Labels: map[string]string{"com.docker.compose.network": "back"}}},
		[]engine.Volume{{Name: "shop_data", Labels: map[string]string{"com.docker.compose.volume": "data"}}})

	wantEqual(t, "services", len(p.Services), 3)
	db, web, proxy := p.Services["db"], p.Services["web"], p.Services["proxy"]
	wantEqual(t, "db replicas", *db.Scale, 2)
	wantEqual(t, "db image", db.Image, "pg")
	wantEqual(t, "web replicas", *web.Scale, 1)
	if d, ok := web.DependsOn["db"]; !ok || d.Condition != "service_healthy" || !d.Restart {
		t.Errorf("web depends_on db: %+v", web.DependsOn)
	}
	if _, ok := web.DependsOn["gone"]; ok {
		t.Error("a dependency without containers was kept")
	}
	if d := proxy.DependsOn["web"]; d.Condition != "service_started" || !d.Restart {
		t.Errorf("old-style label: %+v", d)
	}
	wantEqual(t, "proxy container_name", proxy.ContainerName, "proxy")
	wantEqual(t, "proxy network_mode", proxy.NetworkMode, "host")
	wantEqual(t, "web container_name", web.ContainerName, "")
	if _, ok := web.Networks["back"]; !ok || len(web.Networks) != 2 {
		t.Errorf("web networks: %v", web.Networks)
	}
	wantEqual(t, "network back", p.Networks["back"].Name, "shop_back")
	wantEqual(t, "volume data", p.Volumes["data"].Name, "shop_data")
}

func wantEqual[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}
