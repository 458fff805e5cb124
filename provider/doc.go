// Package provider runs the programs behind `provider:` services. Such a
// service is no container: berth runs the binary its provider.type names
// (a docker CLI plugin docker-TYPE, else TYPE on PATH) as
//
//	TYPE compose --project-name=P up|down|stop [--OPTION=VALUE…] SERVICE
//
// and reads JSON messages from its stdout, one object each:
// {"type":"info|error|debug|setenv|rawsetenv","message":"…"}. `setenv
// KEY=VALUE` becomes SERVICE_KEY (the service name uppercased) in the
// environment of the services that depend on it, `rawsetenv` KEY itself,
// overriding what they declare. A provider that answers `compose metadata`
// with its parameters gets only the options each command declares, and
// `stop` runs only when it declares one.
//
// The parsing (Parse) and the environment precedence (Merge) are pure; Run
// and Lookup touch the host. The reconciler plans each run as an action and
// applies it.
package provider
