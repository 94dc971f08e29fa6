package wizard

import (
	"path/filepath"
	"testing"

	"github.com/jobmail/jobmail/wizard/setupfile"
)

func TestGeneratedExportMatchesSchema(t *testing.T) {
	files, _ := filepath.Glob("setupfile/testdata/examples/*.yaml")
	for _, f := range files {
		l, err := setupfile.LoadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// Without tests, and with every mailbox tested.
		tests := map[string]TestSummary{}
		for _, m := range l.Setup.Effective() {
			tests[m.Key] = TestSummary{At: exportTime, OK: true, Token: NewToken()}
		}
		for _, ts := range []map[string]TestSummary{nil, tests} {
			if _, err := MarshalExport(NewExport(l.Setup, ts, ExportOptions{})); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
}
