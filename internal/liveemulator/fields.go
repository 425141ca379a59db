package liveemulator

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// The emulator's rules for the request fields, written from the API documentation (the create API's
// request table and the Live API notes) without the client's or the provider's code, so that a
// misreading on either side shows up as a disagreement. Where the documentation is silent the emulator
// accepts, as a service that states no rule would. Each returns why a value is refused, or "".

// checkPublishDomain: an ingest domain name, 1 to 255 characters. A domain name on the wire is ASCII
// (RFC 5890: an internationalized name travels in its punycode form) made of dot-separated labels of
// 1 to 63 letters, digits and inner hyphens (RFC 1123), in any case (RFC 4343).
func checkPublishDomain(domain string) string {
	switch n := utf8.RuneCountInString(domain); {
	case n == 0:
		return "is required"
	case n > livespec.PublishDomainMaxLength:
		return fmt.Sprintf("must be at most %d characters", livespec.PublishDomainMaxLength)
	}
	if strings.IndexFunc(domain, func(r rune) bool { return r >= utf8.RuneSelf }) >= 0 {
		return "must be an ASCII domain name: an internationalized domain name in its punycode (xn--) form"
	}
	for label := range strings.SplitSeq(domain, ".") {
		if !isDNSLabel(label) {
			return "must be a domain name"
		}
	}
	return ""
}

// isDNSLabel: 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen.
func isDNSLabel(label string) bool {
	if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	for i := range len(label) {
		if !isASCIIAlnum(rune(label[i])) && label[i] != '-' {
			return false
		}
	}
	return true
}

// checkApp: 1 to 128 characters.
func checkApp(app string) string {
	switch n := utf8.RuneCountInString(app); {
	case n == 0:
		return "is required"
	case n > livespec.AppMaxLength:
		return fmt.Sprintf("must be at most %d characters", livespec.AppMaxLength)
	case !utf8.ValidString(app):
		return "must be valid UTF-8"
	}
	return ""
}

// checkCallbackURL: empty (no callback), or an absolute http:// or https:// URL with a host and no
// query parameters.
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
	}
	return ""
}

// checkEvents: each one of the documented events.
func checkEvents(events []string) string {
	for _, event := range events {
		if !slices.Contains(livespec.Events, event) {
			return fmt.Sprintf("has %q; allowed: %s", event, strings.Join(livespec.Events, ", "))
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
		return !isASCIIAlnum(r)
	}) >= 0 {
		return fmt.Sprintf("must be at least %d letters and digits", livespec.KeyMinLength)
	}
	return ""
}

// isASCIIAlnum reports whether r is an ASCII letter or digit.
func isASCIIAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}
