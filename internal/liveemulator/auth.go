package liveemulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
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

// authenticate checks the request as the API gateway does; it returns the 401 error code and a
// message, or "" when the request is authentic for projectID.
func (s *Server) authenticate(r *http.Request, body []byte, projectID string) (code, msg string) {
	credential, code, msg := s.verifySignature(r, body)
	if code != "" {
		return code, msg
	}
	if header := r.Header.Get("X-Project-Id"); (header != "" && header != projectID) || !credential.hasProject(projectID) {
		return livespec.ErrorCodeProjectMismatch, "Project ID verification failed"
	}
	return "", ""
}

// verifySignature checks the AK/SK signature, the clock skew and the security token; it returns the
// request's credential, or the 401 error code and a message.
func (s *Server) verifySignature(r *http.Request, body []byte) (credential Credential, code, msg string) {
	auth, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return Credential{}, livespec.ErrorCodeAuthFailed, "Incorrect IAM authentication information: " + err.Error()
	}
	credential, problem := s.lookupCredential(auth.accessKey)
	if problem != "" {
		return Credential{}, livespec.ErrorCodeAuthFailed, "Incorrect IAM authentication information: " + problem
	}
	date, err := time.Parse(sdkDateLayout, r.Header.Get("X-Sdk-Date"))
	if err != nil {
		return Credential{}, livespec.ErrorCodeAuthFailed, "Incorrect IAM authentication information: missing or malformed X-Sdk-Date"
	}
	if skew := s.now().Sub(date); skew > maxClockSkew || skew < -maxClockSkew {
		return Credential{}, livespec.ErrorCodeAuthFailed, "Incorrect IAM authentication information: X-Sdk-Date is more than 15 minutes off"
	}
	expected := Signature(r, body, auth.signedHeaders, credential.SecretKey)
	if !hmac.Equal([]byte(expected), []byte(strings.ToLower(auth.signature))) {
		return Credential{}, livespec.ErrorCodeAuthFailed, "Incorrect IAM authentication information: verify aksk signature fail"
	}
	if payloadHash := r.Header.Get("X-Sdk-Content-Sha256"); payloadHash != "" && payloadHash != unsignedPayload &&
		slices.ContainsFunc(auth.signedHeaders, func(name string) bool { return strings.EqualFold(name, "x-sdk-content-sha256") }) {
		// A signed hash of the payload must be the hash of the body that came.
		bodyHash := sha256.Sum256(body)
		if !strings.EqualFold(payloadHash, hex.EncodeToString(bodyHash[:])) {
			return Credential{}, livespec.ErrorCodeAuthFailed, "Incorrect IAM authentication information: X-Sdk-Content-Sha256 does not match the body"
		}
	}
	if credential.SecurityToken != "" && !hmac.Equal([]byte(credential.SecurityToken), []byte(r.Header.Get("X-Security-Token"))) {
		return Credential{}, livespec.ErrorCodeAuthFailed, "Incorrect IAM authentication information: invalid security token"
	}
	return credential, "", ""
}
