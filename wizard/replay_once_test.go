package wizard

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jobmail/jobmail/wizard/setupfile"
)

// TestReplayValidatesEachValueOnce: loading a setup file and replaying
// every mailbox (the company, entities with logins of their own that
// inherit its server, one that is the company's mailbox, one naming the
// same CA file again) judges each value once under each rule, however
// many mailboxes use it, and reads the CA file once. The counter comes in
// through LoadOptions, as the loader's reader does.
func TestReplayValidatesEachValueOnce(t *testing.T) {
	dir := t.TempDir()
	ca, err := os.ReadFile("setupfile/testdata/certs/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), ca, 0o600); err != nil {
		t.Fatal(err)
	}
	body := `version: 1
platform:
  account: acme
company:
  address: jobs@acme.de
  forwarding: done
  channel: smtp
  smtp:
    host: smtp.acme.de
    port: 587
    security: starttls
    password: env:PW_COMPANY
    ca_file: ca.pem
entities:
  - name: Acme Italia
    address: jobs@acme.it
    smtp:
      username: it@acme.de
      password: env:PW_IT
  - name: Acme Austria
    address: jobs@acme.at
    smtp:
      username: at@acme.de
      password: env:PW_AT
  - name: Acme Schweiz
  - name: Acme France
    address: jobs@acme.fr
    smtp:
      username: fr@acme.de
      password: env:PW_FR
      ca_file: ca.pem
`
	path := filepath.Join(dir, "jobmail.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	judged, reads := map[string]int{}, map[string]int{}
	opts := setupfile.LoadOptions{
		OnValidate: func(r setupfile.Rule, v string) {
			mu.Lock()
			defer mu.Unlock()
			judged[string(r)+" "+v]++
		},
		ReadFile: func(p string) ([]byte, error) {
			mu.Lock()
			reads[p]++
			mu.Unlock()
			return setupfile.ReadFileLimited(p)
		},
	}
	l, err := setupfile.Load(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, em := range l.Setup.Effective() {
		wg.Go(func() {
			// Without secrets the replay stops at the live test: every
			// question has been answered and the checks have run by then.
			s, _, _ := ReplayMailbox(t.Context(), &Env{}, l.Setup, em, path, nil)
			if !s.Answered(em.Key + ".smtp.ca_file") {
				t.Errorf("%s: the replay did not reach smtp.ca_file", em.Key)
			}
		})
	}
	wg.Wait()
	for k, n := range judged {
		if n != 1 {
			t.Errorf("%s judged %d times, want once", k, n)
		}
	}
	for _, want := range []string{"host smtp.acme.de", "address jobs@acme.it", "username at@acme.de", "port 587", "ca_file ca.pem"} {
		if judged[want] != 1 {
			t.Errorf("%s judged %d times, want once", want, judged[want])
		}
	}
	if len(reads) != 1 || reads[filepath.Join(dir, "ca.pem")] != 1 {
		t.Errorf("CA file reads %v, want one of %s", reads, filepath.Join(dir, "ca.pem"))
	}
}
