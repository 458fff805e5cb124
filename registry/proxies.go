package registry

// Proxies are the proxy variables the docker CLI's configuration sets for
// the engine at host (its "proxies" entry for that host, else "default"),
// each under its upper- and lower-case name, as the docker CLI passes them
// to containers and builds: HTTP_PROXY and http_proxy, HTTPS_PROXY, NO_PROXY,
// FTP_PROXY, ALL_PROXY. Empty settings are left out; nil when none is set.
func (c *Credentials) Proxies(host string) (map[string]string, error) {
	c.once.Do(c.load)
	if c.err != nil {
		return nil, c.err
	}
	out := map[string]string{}
	for k, v := range c.cfg.ParseProxyConfig(host, nil) {
		if v != nil && *v != "" {
			out[k] = *v
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
