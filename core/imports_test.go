package core_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCoreImportsNoPlatformOrDatabase enforces the dependency rule: core and
// its services know no platform library and no ORM. Only core/store may
// import gorm.
func TestCoreImportsNoPlatformOrDatabase(t *testing.T) {
	forbidden := []string{
		"gorm.io/",
		"github.com/slack-go/",
		"github.com/bwmarrin/discordgo",
		"github.com/go-telegram-bot-api/",
		"cornershop/bots",
		"cornershop/core/store",
		"cornershop/cmd",
		"cornershop/config",
		"cornershop/api",
	}
	all, err := exec.Command("go", "list", "cornershop/core/...").Output()
	if err != nil {
		t.Fatalf("go list cornershop/core/...: %v", err)
	}
	for _, pkg := range strings.Fields(string(all)) {
		if strings.HasPrefix(pkg, "cornershop/core/store") {
			continue // the one place gorm belongs
		}
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if strings.HasPrefix(dep, f) {
					t.Errorf("%s depends on %s; core must stay free of platform and database libraries", pkg, dep)
				}
			}
		}
	}
}
