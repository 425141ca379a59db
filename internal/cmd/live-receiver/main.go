// Command live-receiver receives Live recording notifications on loopback, verifies their signatures
// with the callback key, and prints each one. The first line it prints is its URL.
//
//	live-receiver --listen 127.0.0.1:0 --sign-type MD5   (the key comes from LIVE_RECEIVER_KEY)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"unicode"

	"github.com/platform-tools/terraform-provider-live/internal/buildinfo"
	"github.com/platform-tools/terraform-provider-live/internal/httpserve"
	"github.com/platform-tools/terraform-provider-live/internal/livereceiver"
)

// version is set by release builds (goreleaser's ldflags).
var version string

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "live-receiver:", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("live-receiver", flag.ContinueOnError)
	flags.SetOutput(stderr)
	listen := flags.String("listen", "127.0.0.1:0", "address to listen on")
	signType := flags.String("sign-type", "HMACSHA256", "sign_type of the callback: HMACSHA256 or MD5")
	printVersion := flags.Bool("version", false, "print the version and exit")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *printVersion {
		fmt.Fprintln(stdout, "live-receiver", buildinfo.Version(version))
		return nil
	}
	// The key is a secret: from the environment, never from the command line.
	key := os.Getenv("LIVE_RECEIVER_KEY")
	if key == "" {
		return errors.New("set LIVE_RECEIVER_KEY to the callback key")
	}
	listener, err := (&net.ListenConfig{}).Listen(ctx, "tcp", *listen)
	if err != nil {
		return err
	}
	receiver := &livereceiver.Receiver{SignType: *signType, Key: key, OnReceive: func(r livereceiver.Received) {
		verdict := "signature verified"
		if r.Err != nil {
			verdict = "REJECTED: " + r.Err.Error()
		}
		e := r.Event
		fmt.Fprintf(stdout, "%-22s %s/%s/%s  %s\n", printable(e.EventType), printable(e.PublishDomain), printable(e.App),
			printable(e.Stream), verdict)
	}}
	fmt.Fprintf(stdout, "http://%s/notify\n", listener.Addr())
	return httpserve.Serve(ctx, listener, receiver)
}

// printable quotes a value from a notification when it holds anything but graphic characters, so
// that what anyone can POST cannot forge lines or drive the terminal.
func printable(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsGraphic(r) }) < 0 {
		return s
	}
	return strconv.Quote(s)
}
