package main

import "runtime/debug"

// buildVersion is the release this binary was built as, stamped at link
// time: go build -ldflags "-X main.buildVersion=v1.2.3". It is never
// written at run time.
var buildVersion string

// version reports buildVersion when stamped, else the module version and
// VCS revision the binary was built from, when known.
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}
