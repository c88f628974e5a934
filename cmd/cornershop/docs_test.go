package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// repoRoot is the repository's top directory, seen from this package.
const repoRoot = "../.."

// docFiles lists README.md and every docs/*.md.
func docFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join(repoRoot, "README.md")}, files...)
}

var (
	mdLink  = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	imgSrc  = regexp.MustCompile(`<img[^>]*\ssrc="([^"]+)"`)
	heading = regexp.MustCompile(`(?m)^#{1,6}\s+(.+?)\s*$`)
)

// prose is md without its fenced code blocks, where links are examples.
func prose(md string) string {
	var b strings.Builder
	fenced := false
	for line := range strings.SplitSeq(md, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// slug is GitHub's anchor for a heading: lower case, punctuation dropped,
// spaces as hyphens.
func slug(h string) string {
	h = strings.ReplaceAll(h, "`", "")
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchors lists the heading anchors of a markdown file.
func anchors(md string) map[string]bool {
	out := map[string]bool{}
	for _, m := range heading.FindAllStringSubmatch(prose(md), -1) {
		out[slug(m[1])] = true
	}
	return out
}

// TestDocLinksResolve: every relative link in README.md and docs/*.md
// names a file of the repository, and every #anchor a heading there.
func TestDocLinksResolve(t *testing.T) {
	for _, file := range docFiles(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		text := prose(string(b))
		var targets []string
		for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
			targets = append(targets, m[1])
		}
		for _, m := range imgSrc.FindAllStringSubmatch(text, -1) {
			targets = append(targets, m[1])
		}
		for _, target := range targets {
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(target, "#")
			dest := file
			if path != "" {
				dest = filepath.Join(filepath.Dir(file), path)
			}
			db, err := os.ReadFile(dest)
			if err != nil {
				if st, serr := os.Stat(dest); serr == nil && st.IsDir() && anchor == "" {
					continue
				}
				t.Errorf("%s: link %q: %v", file, target, err)
				continue
			}
			if anchor != "" && !anchors(string(db))[anchor] {
				t.Errorf("%s: link %q: no heading with anchor #%s in %s", file, target, anchor, dest)
			}
		}
	}
}

// TestSlug pins the anchor rule the link check relies on.
func TestSlug(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Getting started", "getting-started"},
		{"1. See it work, with no account", "1-see-it-work-with-no-account"},
		{"Measurements (this machine: 2 vCPU, Go 1.26, medians of 3 runs)", "measurements-this-machine-2-vcpu-go-126-medians-of-3-runs"},
		{"Two replicas on PostgreSQL (issue #11)", "two-replicas-on-postgresql-issue-11"},
		{"`telegram`", "telegram"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := slug(tc.in); got != tc.want {
				t.Errorf("slug(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
