// Command floor is the bare Go client bench/run.sh measures jobmail
// against: the same live test (connect, STARTTLS or implicit TLS with
// certificate verification, AUTH PLAIN, one message, QUIT) with nothing
// but net/smtp and crypto/tls, so its time is the floor for a Go program.
// Built once by bench/run.sh (go build -trimpath), never `go run` per run.
//
//	floor -mode starttls -host localhost -port 12587 -ca ca.crt \
//	      -user jobs@example.test -from jobs@example.test   # password: $FLOOR_PW
//
// -entities N does what `jobmail test` of bench/entities' setup does: N
// sessions (the company as e01@example.test, then entity i as
// b%03d@example.test signing in as e<i%24+1>@example.test with the
// password in $E<NN>_PW), -parallel at a time (jobmail's --parallel
// default 8), the CA file parsed once, every session its own connection
// and TLS handshake (no resumption: jobmail verifies every mailbox).
package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	mode := flag.String("mode", "starttls", "starttls | smtps")
	host := flag.String("host", "localhost", "server name (also the name the certificate must carry)")
	port := flag.Int("port", 587, "port")
	ca := flag.String("ca", "", "PEM file of the CA to trust (default: system roots)")
	user := flag.String("user", "", "AUTH PLAIN user (password from $FLOOR_PW)")
	from := flag.String("from", "", "envelope sender and recipient")
	entities := flag.Int("entities", 0, "run this many entity sessions (bench/entities) instead of one test")
	parallel := flag.Int("parallel", 8, "sessions at a time with -entities")
	flag.Parse()
	if *entities > 0 {
		if err := runEntities(*mode, *host, *port, *ca, *entities, *parallel); err != nil {
			fmt.Fprintln(os.Stderr, "floor:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*mode, *host, *port, *ca, *user, os.Getenv("FLOOR_PW"), *from); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func tlsConfig(host, caFile string) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: host}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, errors.New("no certificate in " + caFile)
		}
	}
	return cfg, nil
}

// runEntities runs n sessions, par at a time, with the logins of
// bench/entities/run.sh; the first error ends it.
func runEntities(mode, host string, port int, caFile string, n, par int) error {
	cfg, err := tlsConfig(host, caFile)
	if err != nil {
		return err
	}
	if par < 1 {
		par = 1
	}
	jobs := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				login, from := 1, "e01@example.test"
				if i > 0 {
					login, from = i%24+1, fmt.Sprintf("b%03d@example.test", i)
				}
				user := fmt.Sprintf("e%02d@example.test", login)
				pw := os.Getenv(fmt.Sprintf("E%02d_PW", login))
				if err := session(mode, host, port, cfg.Clone(), user, pw, from); err != nil {
					errs <- fmt.Errorf("%s: %w", from, err)
				}
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	return <-errs
}

func run(mode, host string, port int, caFile, user, pw, from string) error {
	cfg, err := tlsConfig(host, caFile)
	if err != nil {
		return err
	}
	return session(mode, host, port, cfg, user, pw, from)
}

func session(mode, host string, port int, cfg *tls.Config, user, pw, from string) error {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	var c *smtp.Client
	switch mode {
	case "starttls":
		var err error
		if c, err = smtp.Dial(addr); err != nil {
			return err
		}
		if err := c.StartTLS(cfg); err != nil {
			return err
		}
	case "smtps":
		conn, err := tls.Dial("tcp", addr, cfg)
		if err != nil {
			return err
		}
		if c, err = smtp.NewClient(conn, host); err != nil {
			return err
		}
	default:
		return errors.New("mode must be starttls or smtps")
	}
	defer c.Close()
	if err := c.Auth(smtp.PlainAuth("", user, pw, host)); err != nil {
		return err
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(from); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "From: <%s>\r\nTo: <%s>\r\nSubject: floor bench\r\nDate: %s\r\n\r\nfloor bench\r\n",
		from, from, time.Now().Format(time.RFC1123Z))
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
