package liveapi

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
	"golang.org/x/net/idna"
)

// The provider's plan-time rules for the request fields, written from the API documentation; the
// emulator has its own, and a differential fuzz test holds both to the same verdicts.
var (
	// DomainPattern accepts a fully qualified domain name in lower case: dot-separated labels of
	// letters, digits and inner hyphens, at most 63 characters each, ending in an alphabetic or IDN
	// top-level label.
	DomainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63}|xn--[a-z0-9-]{0,58}[a-z0-9])$`)

	// KeyPattern is the callback key: letters and digits only, at least livespec.KeyMinLength of them.
	KeyPattern = regexp.MustCompile(fmt.Sprintf(`^[A-Za-z0-9]{%d,}$`, livespec.KeyMinLength))
)

// CheckPublishDomain returns why s is not an acceptable publish_domain, or nil: a fully qualified
// name, in lower case and, when internationalized, in its punycode (xn--) form, the one spelling in
// which configurations read back from the API are written, so that no plan differs by case. These
// rules are stricter than the API's (see the differential fuzz test).
func CheckPublishDomain(s string) error {
	canonical := CanonicalDomain(s)
	if !isASCII(s) {
		if DomainPattern.MatchString(canonical) {
			return fmt.Errorf("must be the punycode (xn--) form of an internationalized domain name: use %q", canonical)
		}
		return errors.New("must be a domain name in ASCII: write an internationalized domain name in its punycode (xn--) form")
	}
	if canonical != s {
		return fmt.Errorf("must be in lower case (domain names are case-insensitive): use %q", canonical)
	}
	if !DomainPattern.MatchString(s) {
		return errors.New("must be a domain name such as publish.example.com")
	}
	return nil
}

// CanonicalDomain is the one spelling in which the provider writes a domain: in lower case, and an
// internationalized one in its punycode form. Configurations read back from the API are written so,
// and CheckPublishDomain suggests it.
func CanonicalDomain(domain string) string {
	if ascii, err := idna.Lookup.ToASCII(domain); err == nil && ascii != "" {
		return ascii
	}
	return strings.ToLower(domain)
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// CheckApp returns why s is not an acceptable app, or nil: no '/' (it separates publish_domain and
// app in import ids), and no Unicode whitespace, control or invisible format character.
func CheckApp(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("must be valid UTF-8")
	}
	for _, r := range s {
		switch {
		case r == '/':
			return errors.New("must not contain '/'")
		case unicode.IsSpace(r) || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r):
			return fmt.Errorf("must not contain whitespace or control characters (found %U)", r)
		}
	}
	return nil
}

// CheckCallbackURL returns why s is not an acceptable notify_callback_url, or nil: the API takes an
// absolute http:// or https:// URL with a host and without query parameters; a fragment would never
// reach the receiver.
func CheckCallbackURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("must be a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("must start with http:// or https://")
	}
	if u.Host == "" || u.Hostname() == "" {
		return errors.New("must include a host")
	}
	if u.RawQuery != "" || u.ForceQuery {
		return errors.New("must not contain query parameters")
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return errors.New("must not contain a fragment")
	}
	if u.User != nil {
		return errors.New("must not contain user information")
	}
	return nil
}
