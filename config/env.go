package config

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// otherEnv lists CORNERSHOP_* variables that are not configuration keys
// but are read elsewhere (the config file's name, test and benchmark
// knobs): they are never reported as unknown.
var otherEnv = []string{"CONFIG", "LONG", "REQUIRE_BROWSER", "TEST_*", "OUTAGE_*"}

// envIndex is a list index inside a variable's name.
var envIndex = regexp.MustCompile(`_[0-9]+(_|$)`)

// envNames lists every variable that sets a key of t, list indexes as 0:
// CORNERSHOP_STAFF_0_NAME, CORNERSHOP_SLACK_BOT_TOKEN_FILE.
func envNames(t reflect.Type, env string) []string {
	switch {
	case t == secretType:
		return []string{env, env + "_FILE"}
	case t.Kind() == reflect.Struct && t != durationType:
		var out []string
		for i := range t.NumField() {
			f := t.Field(i)
			if tag := tagName(f); tag != "" && f.IsExported() {
				out = append(out, envNames(f.Type, env+"_"+strings.ToUpper(tag))...)
			}
		}
		return out
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		return envNames(t.Elem(), env+"_0")
	}
	return []string{env}
}

// UnknownEnv returns a problem for every CORNERSHOP_* variable in environ
// (as os.Environ gives it, "NAME=value") that sets no key and is read by
// nothing else, naming the nearest valid variable. Such variables are
// ignored, so the caller should warn, not fail.
func UnknownEnv(environ []string) []Problem {
	valid := envNames(reflect.TypeFor[Config](), EnvPrefix)
	var out []Problem
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		rest, ok := strings.CutPrefix(name, EnvPrefix+"_")
		if !ok || isOtherEnv(rest) {
			continue
		}
		norm := envIndex.ReplaceAllString(name, "_0$1")
		if slices.Contains(valid, norm) {
			continue
		}
		msg := "unknown environment variable, ignored"
		if near := nearest(norm, valid); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", near)
		}
		out = append(out, Problem{Path: name, Message: msg})
	}
	return out
}

func isOtherEnv(rest string) bool {
	for _, o := range otherEnv {
		if p, wild := strings.CutSuffix(o, "*"); wild && strings.HasPrefix(rest, p) || rest == o {
			return true
		}
	}
	return false
}

// nearest is the candidate closest to name by edit distance, or "" when
// none is close enough to be a likely typo.
func nearest(name string, candidates []string) string {
	best, bestD := "", len(name)/3+1
	for _, c := range candidates {
		if d := editDistance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
