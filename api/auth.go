package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// Scope is what a token may do.
type Scope string

// Scopes; each includes the ones before it.
const (
	ScopeRead  Scope = "read"  // read contacts, conversations, messages, ideas
	ScopeWrite Scope = "write" // reply, write first, change contacts and idea statuses
	ScopeAdmin Scope = "admin" // read the audit log
)

// rank orders the scopes: a token holding one holds those below it.
var rank = map[Scope]int{ScopeRead: 1, ScopeWrite: 2, ScopeAdmin: 3}

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return rank[s] > 0 }

// Token is one API client's credential. Its Secret never leaves the
// process: not in logs (LogValue), errors, the database nor the audit log,
// which names the token by Name.
type Token struct {
	Name   string
	Secret string
	Scopes []Scope
}

// LogValue implements slog.LogValuer without the secret.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", t.Name), slog.Any("scopes", t.Scopes))
}

// String names the token without its secret.
func (t Token) String() string { return "api token " + t.Name }

// minSecret is the shortest secret accepted: 128 bits as hex.
const minSecret = 32

// authenticator checks bearer tokens in constant time.
type authenticator struct {
	digests [][sha256.Size]byte
	tokens  []Token
}

func newAuthenticator(ts []Token) (authenticator, error) {
	a := authenticator{}
	seen := map[string]bool{}
	for i, t := range ts {
		switch {
		case t.Name == "" || seen[t.Name]:
			return a, fmt.Errorf("api: token %d: a unique name is required", i)
		case len(t.Secret) < minSecret:
			return a, fmt.Errorf("api: token %s: the secret must be at least %d characters", t.Name, minSecret)
		}
		for _, s := range t.Scopes {
			if !s.Valid() {
				return a, fmt.Errorf("api: token %s: unknown scope %q", t.Name, s)
			}
		}
		seen[t.Name] = true
		a.digests = append(a.digests, sha256.Sum256([]byte(t.Secret)))
		a.tokens = append(a.tokens, Token{Name: t.Name, Scopes: t.Scopes})
	}
	return a, nil
}

// find returns the token whose secret is presented. Every token is
// compared, digest to digest (equal lengths), so the time taken tells
// nothing about which secret nearly matched.
func (a authenticator) find(presented string) (Token, bool) {
	d := sha256.Sum256([]byte(presented))
	found := -1
	for i := range a.digests {
		if subtle.ConstantTimeCompare(d[:], a.digests[i][:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Token{}, false
	}
	return a.tokens[found], true
}

func (t Token) has(s Scope) bool {
	for _, have := range t.Scopes {
		if rank[have] >= rank[s] {
			return true
		}
	}
	return false
}

type tokenKey struct{}

// caller returns the token that authenticated the request.
func caller(ctx context.Context) Token {
	t, _ := ctx.Value(tokenKey{}).(Token)
	return t
}

// Caller names the token that authenticated the request ctx belongs to as
// audit entries do ("api:<name>"), "" when none did: for the handlers of
// Options.Routes.
func Caller(ctx context.Context) string {
	if t := caller(ctx); t.Name != "" {
		return actor(ctx)
	}
	return ""
}

// actor names the caller in audit entries.
func actor(ctx context.Context) string { return "api:" + caller(ctx).Name }

// require wraps h: 401 without a valid bearer token, 403 without scope.
func (s *server) require(scope Scope, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="cornershop"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "a bearer token is required", "")
			return
		}
		t, ok := s.auth.find(strings.TrimSpace(secret))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="cornershop", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "the bearer token is not valid", "")
			return
		}
		if !t.has(scope) {
			writeError(w, http.StatusForbidden, "forbidden", fmt.Sprintf("this token lacks the %s scope", scope), "")
			return
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tokenKey{}, t)))
	})
}
