package liveemulator

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// The emulator's rules for the request fields, written from the API documentation (the create API's
// request table and the Live API notes) without the client's or the provider's code, so that a
// misreading on either side shows up as a disagreement. Each returns why a value is refused, or "".

// checkPublishDomain: an ingest domain name, 1 to 255 characters: dot-separated DNS labels of lower-
// case letters, digits and inner hyphens, 1 to 63 each, the last one alphabetic or an IDN label;
// an internationalized name in its punycode (xn--) form.
func checkPublishDomain(domain string) string {
	switch n := utf8.RuneCountInString(domain); {
	case n == 0:
		return "is required"
	case n > livespec.PublishDomainMaxLength:
		return fmt.Sprintf("must be at most %d characters", livespec.PublishDomainMaxLength)
	}
	for _, r := range domain {
		switch {
		case r >= utf8.RuneSelf:
			return "must be an ASCII domain name: an internationalized domain name in its punycode (xn--) form"
		case 'A' <= r && r <= 'Z':
			return "must be in lower case"
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "must be a domain name"
	}
	for _, label := range labels {
		if !isDNSLabel(label) {
			return "must be a domain name"
		}
	}
	top := labels[len(labels)-1]
	if !strings.HasPrefix(top, "xn--") && (len(top) < 2 || strings.IndexFunc(top, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0) {
		return "must be a domain name"
	}
	return ""
}

// isDNSLabel: 1 to 63 lower-case letters, digits and hyphens, not starting or ending with a hyphen.
func isDNSLabel(label string) bool {
	if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	for i := range len(label) {
		if !isLowerAlnum(rune(label[i])) && label[i] != '-' {
			return false
		}
	}
	return true
}

// checkApp: 1 to 128 characters; no '/', and no whitespace, control or invisible format character.
func checkApp(app string) string {
	switch n := utf8.RuneCountInString(app); {
	case n == 0:
		return "is required"
	case n > livespec.AppMaxLength:
		return fmt.Sprintf("must be at most %d characters", livespec.AppMaxLength)
	case !utf8.ValidString(app):
		return "must be valid UTF-8"
	}
	for _, r := range app {
		if r == '/' {
			return "must not contain '/'"
		}
		if unicode.In(r, unicode.White_Space, unicode.Cc, unicode.Cf) {
			return fmt.Sprintf("must not contain whitespace or control characters (found %U)", r)
		}
	}
	return ""
}

// checkCallbackURL: empty (no callback), or an absolute http:// or https:// URL with a host and no
// query parameters; a fragment or user information could never reach a receiver as meant.
func checkCallbackURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "must be a valid URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "must start with http:// or https://"
	case u.Hostname() == "":
		return "must include a host"
	case u.RawQuery != "" || strings.Contains(raw, "?"):
		return "must not contain query parameters"
	case strings.Contains(raw, "#"):
		return "must not contain a fragment"
	case u.User != nil:
		return "must not contain user information"
	}
	return ""
}

// checkEvents: each one of the documented events, none twice.
func checkEvents(events []string) string {
	for i, event := range events {
		if !slices.Contains(livespec.Events, event) {
			return fmt.Sprintf("has %q; allowed: %s", event, strings.Join(livespec.Events, ", "))
		}
		if slices.Contains(events[:i], event) {
			return fmt.Sprintf("has %q twice", event)
		}
	}
	return ""
}

func checkSignType(signType string) string {
	if !slices.Contains(livespec.SignTypes, signType) {
		return "must be one of " + strings.Join(livespec.SignTypes, ", ")
	}
	return ""
}

// checkKey: empty (no key), or at least 32 ASCII letters and digits. The message never echoes the key.
func checkKey(key string) string {
	if key == "" {
		return ""
	}
	if len(key) < livespec.KeyMinLength || strings.IndexFunc(key, func(r rune) bool {
		return !isLowerAlnum(r) && (r < 'A' || r > 'Z')
	}) >= 0 {
		return fmt.Sprintf("must be at least %d letters and digits", livespec.KeyMinLength)
	}
	return ""
}

// isLowerAlnum reports whether r is an ASCII lower-case letter or digit.
func isLowerAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || '0' <= r && r <= '9'
}
