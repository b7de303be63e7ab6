/*
 * Differential harness for secwrap's src/caps: drives the real libcap.
 *
 * Reads commands from stdin, one per line; the payload of every command is hex-encoded
 * (two lower- or upper-case hex digits per byte) so that any byte but NUL, including the
 * whitespace that cap_from_text treats as a clause separator, survives the line framing.
 *
 *   F <hex>            cap_from_text(decoded)  -> "ok <E> <I> <P> <cap_to_text>" or "err"
 *   T <E> <I> <P>      masks (16 hex digits)   -> "ok <cap_to_text>"
 *   N                  -> "ok <cap_max_bits()>" then "ok <n> <cap_to_name(n)>" for n = 0..63
 *
 * Masks are read back with cap_get_flag for every cap 0..63 and printed as 16 hex digits.
 * Build: cc -O1 -o harness harness.c -lcap
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/capability.h>

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static uint64_t get_mask(cap_t caps, cap_flag_t flag) {
  uint64_t m = 0;
  for (int n = 0; n < 64; n++) {
    cap_flag_value_t v = CAP_CLEAR;
    if (cap_get_flag(caps, (cap_value_t)n, flag, &v) != 0) {
      fprintf(stderr, "cap_get_flag(%d) failed\n", n);
      exit(2);
    }
    if (v == CAP_SET) m |= (uint64_t)1 << n;
  }
  return m;
}

static void set_mask(cap_t caps, cap_flag_t flag, uint64_t m) {
  for (int n = 0; n < 64; n++) {
    if (m & ((uint64_t)1 << n)) {
      cap_value_t v = (cap_value_t)n;
      if (cap_set_flag(caps, flag, 1, &v, CAP_SET) != 0) {
        fprintf(stderr, "cap_set_flag(%d) failed\n", n);
        exit(2);
      }
    }
  }
}

int main(void) {
  static char line[1 << 20];
  static char text[1 << 19];
  while (fgets(line, sizeof line, stdin) != NULL) {
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    if (line[0] == 'F' && line[1] == ' ') {
      size_t k = 0;
      for (size_t i = 2; i + 1 < len + 1 && line[i] != '\0'; i += 2) {
        int hi = hexval((unsigned char)line[i]), lo = hexval((unsigned char)line[i + 1]);
        if (hi < 0 || lo < 0) { fprintf(stderr, "bad hex\n"); return 2; }
        text[k++] = (char)(hi * 16 + lo);
      }
      text[k] = '\0';
      cap_t caps = cap_from_text(text);
      if (caps == NULL) {
        puts("err");
        continue;
      }
      char *t = cap_to_text(caps, NULL);
      printf("ok %016llx %016llx %016llx %s\n",
             (unsigned long long)get_mask(caps, CAP_EFFECTIVE),
             (unsigned long long)get_mask(caps, CAP_INHERITABLE),
             (unsigned long long)get_mask(caps, CAP_PERMITTED), t ? t : "(null)");
      cap_free(t);
      cap_free(caps);
    } else if (line[0] == 'T' && line[1] == ' ') {
      unsigned long long e, i, p;
      if (sscanf(line + 2, "%llx %llx %llx", &e, &i, &p) != 3) { fprintf(stderr, "bad T\n"); return 2; }
      cap_t caps = cap_init();
      set_mask(caps, CAP_EFFECTIVE, e);
      set_mask(caps, CAP_INHERITABLE, i);
      set_mask(caps, CAP_PERMITTED, p);
      char *t = cap_to_text(caps, NULL);
      printf("ok %s\n", t ? t : "(null)");
      cap_free(t);
      cap_free(caps);
    } else if (line[0] == 'N') {
      printf("ok %d\n", (int)cap_max_bits());
      for (int n = 0; n < 64; n++) {
        char *name = cap_to_name((cap_value_t)n);
        printf("ok %d %s\n", n, name ? name : "(null)");
        cap_free(name);
      }
    } else {
      fprintf(stderr, "unknown command: %s\n", line);
      return 2;
    }
    fflush(stdout);
  }
  return 0;
}
