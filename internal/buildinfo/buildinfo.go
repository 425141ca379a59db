// Package buildinfo tells a command's version: the one a release build sets, else the module version
// that `go install ...@version` records, else "dev".
package buildinfo

import "runtime/debug"

// Version is set, the release's, when not empty; else the version Go recorded in the binary.
func Version(set string) string {
	if set != "" {
		return set
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
