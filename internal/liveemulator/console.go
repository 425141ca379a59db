package liveemulator

import (
	"embed"
	"io/fs"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// The console: a page at the admin prefix that shows what the emulator holds and delivered, and
// starts recordings, sets faults and resets, through the admin endpoint's own JSON.
//
//go:embed console
var consoleFiles embed.FS

func (s *Server) registerConsole() {
	files, err := fs.Sub(consoleFiles, "console")
	if err != nil {
		panic(err) // the embedded directory is part of the build
	}
	static := http.StripPrefix(AdminPrefix, http.FileServerFS(files))
	serve := s.admin(func(w http.ResponseWriter, r *http.Request, _ string) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		static.ServeHTTP(w, r)
	})
	s.mux.HandleFunc("GET "+AdminPrefix+"{$}", serve)
	for _, name := range []string{"console.js", "console.css"} {
		s.mux.HandleFunc("GET "+AdminPrefix+name, serve)
	}
	s.mux.HandleFunc("GET "+AdminPrefix+"accounts", s.admin(func(w http.ResponseWriter, _ *http.Request, _ string) {
		writeJSON(w, http.StatusOK, s.Accounts())
	}))
}

// Account is one account as the console shows it: its domain, an access key and its projects.
type Account struct {
	DomainName string           `json:"domain_name"`
	DomainID   string           `json:"domain_id"`
	AccessKey  string           `json:"access_key"`
	Projects   []AccountProject `json:"projects"`
}

// AccountProject is a project of an account, named after its region.
type AccountProject struct {
	ID     string `json:"id"`
	Region string `json:"region"`
}

// Accounts returns the accounts the emulator serves, in the order of Options.Credentials, without
// their secrets.
func (s *Server) Accounts() []Account {
	out := []Account{}
	for _, c := range s.accounts {
		account := Account{DomainName: c.DomainName, DomainID: c.DomainID, AccessKey: c.AccessKey, Projects: []AccountProject{}}
		for _, p := range c.Projects {
			account.Projects = append(account.Projects, AccountProject{ID: p.ID, Region: p.Name})
		}
		out = append(out, account)
	}
	return out
}

// adminRefusal says why the admin endpoint refuses a request, or "". A page on loopback is reachable
// from every other page the developer has open, so beyond loopback clients it answers only requests
// for its own loopback address (a DNS rebinding page's Host is its own name), and refuses a page of
// another origin: changes (Origin, Sec-Fetch-Site), and reads other than opening the console in a tab.
func adminRefusal(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return "the admin endpoint answers loopback clients only"
	}
	if !ownLoopbackHost(r) {
		return "the admin endpoint answers requests for a loopback address or localhost only, not Host " + strconv.Quote(r.Host)
	}
	site := r.Header.Get("Sec-Fetch-Site")
	crossSite := site != "" && site != "same-origin" && site != "none"
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		opening := r.Header.Get("Sec-Fetch-Mode") == "navigate" && r.Header.Get("Sec-Fetch-Dest") == "document" && r.URL.Path == AdminPrefix
		if crossSite && !opening {
			return "the admin endpoint answers no other site's page"
		}
		return ""
	}
	if origin := r.Header.Get("Origin"); crossSite || (origin != "" && origin != "http://"+r.Host) {
		return "the admin endpoint refuses changes asked by another origin's page"
	}
	return ""
}

// ownLoopbackHost reports whether the request's Host names a loopback address or localhost: a DNS
// rebinding page's Host is its own name. The port is not compared, so that a forwarded port (ssh -L,
// kubectl port-forward) reaches the console too.
func ownLoopbackHost(r *http.Request) bool {
	name, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		name, port = r.Host, "" // no port
	}
	if strings.Trim(port, "0123456789") != "" {
		return false
	}
	ip := net.ParseIP(strings.Trim(name, "[]"))
	return strings.EqualFold(name, "localhost") || (ip != nil && ip.IsLoopback())
}
