package liveemulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

const (
	signingAlgorithm = "SDK-HMAC-SHA256"
	sdkDateLayout    = "20060102T150405Z"
	maxClockSkew     = 15 * time.Minute
	// unsignedPayload in a signed X-Sdk-Content-Sha256 leaves the body out of the signature.
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

// authorization is the parsed Authorization header of an AK/SK-signed request.
type authorization struct {
	accessKey     string
	signedHeaders []string
	signature     string
}

func parseAuthorization(header string) (authorization, error) {
	rest, ok := strings.CutPrefix(header, signingAlgorithm+" ")
	if !ok {
		return authorization{}, errors.New("the Authorization header is not SDK-HMAC-SHA256")
	}
	var auth authorization
	for _, part := range strings.Split(rest, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch name {
		case "Access":
			auth.accessKey = value
		case "SignedHeaders":
			if value != "" {
				auth.signedHeaders = strings.Split(value, ";")
			}
		case "Signature":
			auth.signature = value
		}
	}
	if auth.accessKey == "" || len(auth.signedHeaders) == 0 || auth.signature == "" {
		return authorization{}, errors.New("the Authorization header lacks Access, SignedHeaders or Signature")
	}
	return auth, nil
}

// Signature computes the SDK-HMAC-SHA256 signature of a request over exactly the named headers, as
// the API gateway verifies it. body is the request body as sent.
func Signature(r *http.Request, body []byte, signedHeaders []string, secretKey string) string {
	canonical := canonicalRequest(r, body, signedHeaders)
	canonicalHash := sha256.Sum256([]byte(canonical))
	stringToSign := signingAlgorithm + "\n" + r.Header.Get("X-Sdk-Date") + "\n" + hex.EncodeToString(canonicalHash[:])
	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(stringToSign))
	return hex.EncodeToString(mac.Sum(nil))
}

func canonicalRequest(r *http.Request, body []byte, signedHeaders []string) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(canonicalURI(r.URL.Path) + "\n")
	b.WriteString(canonicalQuery(r.URL.RawQuery) + "\n")
	for _, name := range signedHeaders {
		values := r.Header.Values(name)
		if strings.EqualFold(name, "host") {
			values = []string{r.Host}
		}
		values = append([]string(nil), values...)
		sort.Strings(values)
		for _, v := range values {
			b.WriteString(name + ":" + strings.TrimSpace(v) + "\n")
		}
	}
	b.WriteString("\n" + strings.Join(signedHeaders, ";") + "\n")
	// The header stands for the body's hash only when the signature covers it; otherwise anyone
	// could swap the body of a signed request and state the old body's hash.
	if payloadHash := r.Header.Get("X-Sdk-Content-Sha256"); payloadHash != "" &&
		slices.ContainsFunc(signedHeaders, func(name string) bool { return strings.EqualFold(name, "x-sdk-content-sha256") }) {
		b.WriteString(payloadHash)
	} else {
		bodyHash := sha256.Sum256(body)
		b.WriteString(hex.EncodeToString(bodyHash[:]))
	}
	return b.String()
}

func canonicalURI(path string) string {
	segments := strings.Split(path, "/")
	for i, s := range segments {
		segments[i] = escape(s)
	}
	uri := strings.Join(segments, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	return uri
}

func canonicalQuery(rawQuery string) string {
	values, _ := url.ParseQuery(rawQuery) // a malformed pair is simply not signed
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		vs := append([]string(nil), values[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			pairs = append(pairs, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(pairs, "&")
}

// escape percent-encodes every byte but letters, digits and "_-~.", in upper-case hex.
func escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("_-~.", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// refusal is why the gateway refused a request: the message it answers (its own, word for word),
// and the emulator's reason, which only the journal tells.
type refusal struct {
	message, reason string
}

// authenticate checks the request as the API gateway and then Live do; it returns the request's
// credential, or writes the refusal and returns false.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, body []byte, projectID string) (Credential, bool) {
	credential, ok := s.authenticateSignature(w, r, body)
	if !ok {
		return Credential{}, false
	}
	if header := r.Header.Get("X-Project-Id"); (header != "" && header != projectID) || !credential.hasProject(projectID) {
		journalOf(r).Reason = fmt.Sprintf("the project %q is not one of the signing account's (or X-Project-Id %q differs)", projectID, header)
		writeError(w, http.StatusUnauthorized, livespec.ErrorCodeProjectMismatch, "Project ID verification failed")
		return Credential{}, false
	}
	return credential, true
}

// authenticateSignature checks the signature as the API gateway does, for Live and IAM alike; it
// returns the request's credential, or writes the gateway's 401 and returns false.
func (s *Server) authenticateSignature(w http.ResponseWriter, r *http.Request, body []byte) (Credential, bool) {
	credential, refused := s.verifySignature(r, body)
	entry := journalOf(r)
	if refused != nil {
		entry.AccessKey, entry.Reason = accessKeyOf(r), refused.reason
		writeError(w, http.StatusUnauthorized, livespec.ErrorCodeGatewayAuth, refused.message)
		return Credential{}, false
	}
	entry.AccessKey, entry.Account = credential.AccessKey, credential.DomainName
	return credential, true
}

// accessKeyOf is the access key a request names, if any.
func accessKeyOf(r *http.Request) string {
	auth, _ := parseAuthorization(r.Header.Get("Authorization"))
	return auth.accessKey
}

// verifySignature checks the AK/SK signature, the clock skew, the security token and the access
// key's lockout; it returns the request's credential, or why the gateway refuses it.
func (s *Server) verifySignature(r *http.Request, body []byte) (Credential, *refusal) {
	auth, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return Credential{}, &refusal{livespec.GatewaySignatureFailed, err.Error()}
	}
	credential, problem := s.lookupCredential(auth.accessKey)
	switch problem {
	case "":
	case problemUnknown:
		return Credential{}, &refusal{fmt.Sprintf(livespec.GatewayUnknownAccessKey, auth.accessKey), "unknown access key"}
	default:
		return Credential{}, &refusal{livespec.GatewayTokenFailed, problem}
	}
	if until, locked := s.lockedOut(auth.accessKey); locked {
		return Credential{}, &refusal{livespec.GatewayAccessKeyLocked, "the access key is locked until " + until.Format(time.RFC3339) +
			" after more than " + strconv.Itoa(livespec.GatewayLockoutFailures) + " failed signatures in a row"}
	}
	if reason := signatureProblem(r, body, auth, credential.SecretKey, s.now()); reason != "" {
		s.signatureFailed(auth.accessKey)
		return Credential{}, &refusal{livespec.GatewaySignatureFailed, reason}
	}
	s.signatureVerified(auth.accessKey)
	if credential.SecurityToken != "" && !hmac.Equal([]byte(credential.SecurityToken), []byte(r.Header.Get("X-Security-Token"))) {
		return Credential{}, &refusal{livespec.GatewayTokenFailed, "missing or wrong X-Security-Token for temporary credentials"}
	}
	return credential, nil
}

// signatureProblem says why the signature does not verify, or "".
func signatureProblem(r *http.Request, body []byte, auth authorization, secretKey string, now time.Time) string {
	date, err := time.Parse(sdkDateLayout, r.Header.Get("X-Sdk-Date"))
	if err != nil {
		return "missing or malformed X-Sdk-Date"
	}
	if skew := now.Sub(date); skew > maxClockSkew || skew < -maxClockSkew {
		return "X-Sdk-Date is " + skew.Round(time.Second).String() + " off the server's clock, more than 15 minutes"
	}
	expected := Signature(r, body, auth.signedHeaders, secretKey)
	if !hmac.Equal([]byte(expected), []byte(strings.ToLower(auth.signature))) {
		return "the signature does not verify over the signed headers " + strings.Join(auth.signedHeaders, ";") + " and the body as sent"
	}
	if payloadHash := r.Header.Get("X-Sdk-Content-Sha256"); payloadHash != "" && payloadHash != unsignedPayload &&
		slices.ContainsFunc(auth.signedHeaders, func(name string) bool { return strings.EqualFold(name, "x-sdk-content-sha256") }) {
		// A signed hash of the payload must be the hash of the body that came.
		bodyHash := sha256.Sum256(body)
		if !strings.EqualFold(payloadHash, hex.EncodeToString(bodyHash[:])) {
			return "X-Sdk-Content-Sha256 does not match the body"
		}
	}
	return ""
}

// lockout counts an access key's failed signatures in a row, and locks it as the gateway does.
type lockout struct {
	failures    int
	lockedUntil time.Time
}

func (s *Server) lockedOut(accessKey string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockouts[accessKey]
	if !ok || !s.now().Before(l.lockedUntil) {
		return time.Time{}, false
	}
	return l.lockedUntil, true
}

func (s *Server) signatureFailed(accessKey string) {
	if s.lockoutDuration <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.lockouts[accessKey]
	l.failures++
	if l.failures > livespec.GatewayLockoutFailures {
		l = lockout{lockedUntil: s.now().Add(s.lockoutDuration)}
	}
	s.lockouts[accessKey] = l
}

func (s *Server) signatureVerified(accessKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.lockouts, accessKey)
}
