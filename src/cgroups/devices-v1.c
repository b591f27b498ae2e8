/* The rules' meaning is computed for every class of devices they tell apart
 * (each named major, or any other, times each named minor, or any other,
 * for both types) as the set of access sets allowed; then an exception list
 * is sought that gives every class the same, and checked.  Working from the
 * meaning rather than rule by rule keeps lists exact whose later rules undo
 * what an earlier one could not express. */
#include "devices-v1.h"

#include <string.h>

#include "devices-rules.h"
#include "src/base/util.h"

#define FIELD "linux.resources.devices"

/* Access sets are 1..7 (BPF_DEVCG_ACC_* bits); a set of them is a byte with
 * bit A for access set A. */
#define N_ACCESS 8

/* Steps of the search for a default-deny list before giving up (see
 * solve_deny): far more than real rule lists take. */
#define MAX_STEPS 10000

/* The numbers the rules name; index n stands for any other number in a
 * class of devices, and for `*` in an exception. */
struct numbers
{
  int64_t *v;
  size_t n;
};

/* Classes and exception patterns share one indexing: type (0 block, 1 char)
 * × major × minor. */
struct space
{
  const struct device_rule *rules;
  size_t n_rules;
  struct numbers majors, minors;
  size_t size;
  unsigned char *want; /* per class: the access sets the rules allow */
  unsigned char *exc;  /* per pattern: its exception's access bits, 0 for none */
  bool default_allow;
};

/* Where the closest list found and the rules part, and why. */
struct mismatch
{
  size_t cls;
  unsigned access;
  bool v1_allows;
  /* The class allows one and other but not the two together (access),
   * which no one exception per pattern can say; else a wildcard pattern
   * would have to except a device. */
  bool combination;
  unsigned one, other;
};

static void
numbers_add (struct numbers *s, int64_t v)
{
  if (v < 0)
    return;
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i] == v)
      return;
  s->v = xrealloc (s->v, (s->n + 1) * sizeof *s->v);
  s->v[s->n++] = v;
}

static size_t
numbers_index (const struct numbers *s, int64_t v)
{
  for (size_t i = 0; v >= 0 && i < s->n; i++)
    if (s->v[i] == v)
      return i;
  return s->n;
}

static size_t
index_of (const struct space *s, size_t t, size_t i, size_t j)
{
  return (t * (s->majors.n + 1) + i) * (s->minors.n + 1) + j;
}

static void
index_split (const struct space *s, size_t k, size_t *t, size_t *i, size_t *j)
{
  *j = k % (s->minors.n + 1);
  k /= s->minors.n + 1;
  *i = k % (s->majors.n + 1);
  *t = k / (s->majors.n + 1);
}

static int
type_of (size_t t)
{
  return t ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;
}

/* Every nonempty access set within bits. */
static unsigned char
downset (unsigned bits)
{
  /* Bit A set for each nonempty A with A & ~bits == 0. */
  static const unsigned char table[N_ACCESS] = { 0x00, 0x02, 0x04, 0x0e, 0x10, 0x32, 0x54, 0xfe };

  return table[bits & DEVICE_ACC_ALL];
}

/* The largest access sets of a family (those with all their parts in it). */
static size_t
maximal_sets (unsigned char family, unsigned char out[N_ACCESS])
{
  size_t n = 0;

  for (unsigned a = 1; a < N_ACCESS; a++)
    {
      bool maximal = (downset (a) & ~family) == 0;
      for (unsigned b = 1; maximal && b < N_ACCESS; b++)
        if (b != a && (b & a) == a && (downset (b) & ~family) == 0)
          maximal = false;
      if (maximal)
        out[n++] = (unsigned char) a;
    }
  return n;
}

static bool
rule_covers (const struct space *s, const struct device_rule *r, size_t t, size_t i, size_t j)
{
  if (r->type && r->type != type_of (t))
    return false;
  if (r->major >= 0 && (i == s->majors.n || s->majors.v[i] != r->major))
    return false;
  return r->minor < 0 || (j < s->minors.n && s->minors.v[j] == r->minor);
}

/* What the eBPF filter answers: the last rule that matches decides. */
static unsigned char
class_meaning (const struct space *s, size_t t, size_t i, size_t j)
{
  unsigned char allowed = 0;

  for (unsigned a = 1; a < N_ACCESS; a++)
    {
      bool verdict = true;
      for (size_t k = s->n_rules; k-- > 0;)
        {
          const struct device_rule *r = &s->rules[k];
          if (!rule_covers (s, r, t, i, j))
            continue;
          if (r->allow ? (a & ~r->access) == 0 : (a & r->access) != 0)
            {
              verdict = r->allow;
              break;
            }
        }
      if (verdict)
        allowed |= (unsigned char) (1u << a);
    }
  return allowed;
}

static void
space_init (struct space *s, const struct device_rule *rules, size_t n_rules)
{
  memset (s, 0, sizeof *s);
  s->rules = rules;
  s->n_rules = n_rules;
  for (size_t k = 0; k < n_rules; k++)
    {
      numbers_add (&s->majors, rules[k].major);
      numbers_add (&s->minors, rules[k].minor);
    }
  s->size = 2 * (s->majors.n + 1) * (s->minors.n + 1);
  s->want = xcalloc (s->size, 1);
  s->exc = xcalloc (s->size, 1);
  for (size_t c = 0; c < s->size; c++)
    {
      size_t t, i, j;
      index_split (s, c, &t, &i, &j);
      s->want[c] = class_meaning (s, t, i, j);
    }
}

static void
space_free (struct space *s)
{
  free (s->majors.v);
  free (s->minors.v);
  free (s->want);
  free (s->exc);
  memset (s, 0, sizeof *s);
}

/* Does the exception pattern k hold for the class c? */
static bool
pattern_covers (const struct space *s, size_t k, size_t c)
{
  size_t kt, ki, kj, t, i, j;

  index_split (s, k, &kt, &ki, &kj);
  index_split (s, c, &t, &i, &j);
  return kt == t && (ki == s->majors.n || ki == i) && (kj == s->minors.n || kj == j);
}

/* The patterns that hold for class c, the widest first. */
static size_t
covering_patterns (const struct space *s, size_t c, size_t k[4])
{
  size_t t, i, j, n = 0, any_major = s->majors.n, any_minor = s->minors.n;

  index_split (s, c, &t, &i, &j);
  k[n++] = index_of (s, t, any_major, any_minor);
  if (i != any_major)
    k[n++] = index_of (s, t, i, any_minor);
  if (j != any_minor)
    k[n++] = index_of (s, t, any_major, j);
  if (i != any_major && j != any_minor)
    k[n++] = index_of (s, t, i, j);
  return n;
}

/* What cgroup v1 answers for class c with the exceptions in s->exc: the
 * kernel's match_exception (default deny) and match_exception_partial
 * (default allow). */
static unsigned char
class_v1 (const struct space *s, size_t c)
{
  unsigned char allowed = 0;
  unsigned denied = 0;
  size_t k[4], n_k = covering_patterns (s, c, k);

  for (size_t p = 0; p < n_k; p++)
    {
      allowed |= downset (s->exc[k[p]]);
      denied |= s->exc[k[p]];
    }
  return s->default_allow ? downset (~denied & DEVICE_ACC_ALL) : allowed;
}

static bool
check (const struct space *s, struct mismatch *m)
{
  for (size_t c = 0; c < s->size; c++)
    {
      unsigned char got = class_v1 (s, c);
      if (got == s->want[c])
        continue;
      for (unsigned a = 1; a < N_ACCESS; a++)
        if (((got ^ s->want[c]) >> a) & 1)
          {
            *m = (struct mismatch){ c, a, (got >> a) & 1, false, 0, 0 };
            break;
          }
      return false;
    }
  return true;
}

/* A class whose allowed sets are more than the parts of one set: the
 * combination it refuses. */
static bool
combination (const struct space *s, size_t c, struct mismatch *m)
{
  unsigned char max[N_ACCESS];

  if (maximal_sets (s->want[c], max) < 2)
    return false;
  *m = (struct mismatch){ c, max[0] | max[1], true, true, max[0], max[1] };
  return true;
}

/* Default allow: each class must refuse exactly the accesses of the
 * exceptions that cover it, so what it allows must be the parts of one set.
 * Each pattern gets the most it can deny without denying too much anywhere:
 * if any list works, that one does. */
static bool
solve_allow (struct space *s, struct mismatch *m)
{
  _cleanup_free_ unsigned char *denied = xcalloc (s->size, 1);

  for (size_t c = 0; c < s->size; c++)
    {
      unsigned char max[N_ACCESS];
      if (combination (s, c, m))
        return false;
      denied[c] = maximal_sets (s->want[c], max) ? ~max[0] & DEVICE_ACC_ALL : DEVICE_ACC_ALL;
    }
  for (size_t k = 0; k < s->size; k++)
    {
      unsigned char bits = DEVICE_ACC_ALL;
      for (size_t c = 0; c < s->size; c++)
        if (pattern_covers (s, k, c))
          bits &= denied[c];
      s->exc[k] = bits;
    }
  return check (s, m);
}

/* The sets pattern k may allow: the largest that allow too much in no
 * class it covers.  More than one when those classes allow, say, `r` and
 * `w` but not both. */
static size_t
deny_candidates (const struct space *s, size_t k, unsigned char cand[N_ACCESS])
{
  unsigned char may = 0xff;

  for (size_t c = 0; c < s->size; c++)
    if (pattern_covers (s, k, c))
      may &= s->want[c];
  return maximal_sets (may, cand);
}

/* With default deny, every largest set a class allows must be allowed whole
 * by one pattern that covers it: the first such need no exception meets. */
static bool
first_unmet (const struct space *s, size_t *cls, unsigned *access)
{
  for (size_t c = 0; c < s->size; c++)
    {
      unsigned char max[N_ACCESS];
      size_t n = maximal_sets (s->want[c], max);
      for (size_t x = 0; x < n; x++)
        {
          size_t k[4], n_k = covering_patterns (s, c, k);
          bool met = false;
          for (size_t p = 0; p < n_k; p++)
            met = met || (s->exc[k[p]] & max[x]) == max[x];
          if (!met)
            {
              *cls = c;
              *access = max[x];
              return true;
            }
        }
    }
  return false;
}

struct deny_search
{
  unsigned char (*cand)[N_ACCESS];
  size_t *n_cand;
  bool *set;
  size_t steps;
};

/* Meet the first unmet need with one of the patterns still free, and go on;
 * back off when that leads nowhere.  Any candidate is safe to give (it
 * allows too much nowhere), so only the choice matters. */
static bool
deny_search (struct space *s, struct deny_search *d)
{
  size_t c, k[4], n_k;
  unsigned x;

  if (!first_unmet (s, &c, &x))
    return true;
  if (d->steps++ >= MAX_STEPS)
    return false;
  n_k = covering_patterns (s, c, k);
  for (size_t p = 0; p < n_k; p++)
    for (size_t q = 0; !d->set[k[p]] && q < d->n_cand[k[p]]; q++)
      {
        if ((d->cand[k[p]][q] & x) != x)
          continue;
        s->exc[k[p]] = d->cand[k[p]][q];
        d->set[k[p]] = true;
        if (deny_search (s, d))
          return true;
        s->exc[k[p]] = 0;
        d->set[k[p]] = false;
      }
  return false;
}

/* Can one of the patterns over class c ever allow x whole? */
static bool
may_meet (const struct space *s, const struct deny_search *d, size_t c, unsigned x)
{
  size_t k[4], n_k = covering_patterns (s, c, k);

  for (size_t p = 0; p < n_k; p++)
    for (size_t q = 0; q < d->n_cand[k[p]]; q++)
      if ((d->cand[k[p]][q] & x) == x)
        return true;
  return false;
}

/* A need no pattern may ever meet: a wildcard pattern would have to except
 * a device.  It fails every search, so none is started. */
static bool
unmeetable_need (const struct space *s, const struct deny_search *d, struct mismatch *m)
{
  for (size_t c = 0; c < s->size; c++)
    {
      unsigned char max[N_ACCESS];
      size_t n = maximal_sets (s->want[c], max);
      for (size_t x = 0; x < n; x++)
        if (!may_meet (s, d, c, max[x]))
          {
            *m = (struct mismatch){ c, max[x], false, false, 0, 0 };
            return true;
          }
    }
  return false;
}

static bool
solve_deny (struct space *s, struct mismatch *m)
{
  _cleanup_free_ unsigned char (*cand)[N_ACCESS] = xcalloc (s->size, sizeof *cand);
  _cleanup_free_ size_t *n_cand = xcalloc (s->size, sizeof *n_cand);
  _cleanup_free_ bool *set = xcalloc (s->size, sizeof *set);
  struct deny_search d = { cand, n_cand, set, 0 };

  for (size_t k = 0; k < s->size; k++)
    {
      n_cand[k] = deny_candidates (s, k, cand[k]);
      /* No choice: the pattern takes its one set now. */
      if (n_cand[k] == 1)
        {
          s->exc[k] = cand[k][0];
          set[k] = true;
        }
    }
  if (unmeetable_need (s, &d, m))
    return false;
  if (deny_search (s, &d) && check (s, m))
    return true;
  /* Every need can be met, not all at once: a class allows sets that
   * compete for its patterns.  Failing that, the search ran out of steps. */
  for (size_t c = 0; c < s->size; c++)
    if (combination (s, c, m))
      return false;
  *m = (struct mismatch){ 0, DEVICE_ACC_ALL, false, true, 0, 0 };
  return false;
}

/* The last rule for every device and access sets the default; else the
 * default is cgroup v1's own, allow.  The other default is tried too. */
static bool
solve (struct space *s, struct mismatch *m)
{
  bool preferred = true;
  struct mismatch other;

  for (size_t k = 0; k < s->n_rules; k++)
    if (device_rule_is_all (&s->rules[k]))
      preferred = s->rules[k].allow;
  s->default_allow = preferred;
  if (preferred ? solve_allow (s, m) : solve_deny (s, m))
    return true;
  memset (s->exc, 0, s->size);
  s->default_allow = !preferred;
  if (preferred ? solve_deny (s, &other) : solve_allow (s, &other))
    return true;
  s->default_allow = preferred;
  return false;
}

/* Exceptions that others already imply go, the most specific first, so that
 * the list is what a person would write. */
static void
prune (struct space *s)
{
  struct mismatch unused;

  for (int wild = 0; wild <= 2; wild++)
    for (size_t k = 0; k < s->size; k++)
      {
        size_t t, i, j;
        unsigned char saved = s->exc[k];
        index_split (s, k, &t, &i, &j);
        if (!saved || (i == s->majors.n) + (j == s->minors.n) != wild)
          continue;
        s->exc[k] = 0;
        if (!check (s, &unused))
          s->exc[k] = saved;
      }
}

static void
add_exception (const struct space *s, size_t k, struct cgroup_plan *plan)
{
  char major[24] = "*", minor[24] = "*", access[4];
  size_t t, i, j, n = 0;

  index_split (s, k, &t, &i, &j);
  if (i < s->majors.n)
    snprintf (major, sizeof major, "%lld", (long long) s->majors.v[i]);
  if (j < s->minors.n)
    snprintf (minor, sizeof minor, "%lld", (long long) s->minors.v[j]);
  if (s->exc[k] & BPF_DEVCG_ACC_READ)
    access[n++] = 'r';
  if (s->exc[k] & BPF_DEVCG_ACC_WRITE)
    access[n++] = 'w';
  if (s->exc[k] & BPF_DEVCG_ACC_MKNOD)
    access[n++] = 'm';
  access[n] = '\0';
  cgroup_plan_add (plan, "devices", FIELD, s->default_allow ? "devices.deny" : "devices.allow",
                   "%c %s:%s %s", t ? 'c' : 'b', major, minor, access);
}

/* The reset, then the exceptions in the order of the rules they come from
 * (allow rules under default deny, deny rules under default allow). */
static void
add_writes (const struct space *s, struct cgroup_plan *plan)
{
  _cleanup_free_ bool *done = xcalloc (s->size, sizeof *done);

  cgroup_plan_add (plan, "devices", FIELD, s->default_allow ? "devices.allow" : "devices.deny",
                   "a");
  for (size_t r = 0; r <= s->n_rules; r++)
    for (size_t k = 0; k < s->size; k++)
      {
        size_t t, i, j;
        index_split (s, k, &t, &i, &j);
        if (done[k] || !s->exc[k])
          continue;
        /* After the rules: whatever pattern no rule names as such. */
        if (r < s->n_rules
            && (s->rules[r].allow == s->default_allow || !rule_covers (s, &s->rules[r], t, i, j)
                || i != numbers_index (&s->majors, s->rules[r].major)
                || j != numbers_index (&s->minors, s->rules[r].minor)))
          continue;
        add_exception (s, k, plan);
        done[k] = true;
      }
}

static const char *
access_text (unsigned a, char buf[4])
{
  size_t n = 0;

  if (a & BPF_DEVCG_ACC_READ)
    buf[n++] = 'r';
  if (a & BPF_DEVCG_ACC_WRITE)
    buf[n++] = 'w';
  if (a & BPF_DEVCG_ACC_MKNOD)
    buf[n++] = 'm';
  buf[n] = '\0';
  return buf;
}

/* Name the rule from which on the rules have no cgroup v1 form, with the
 * device and access no list can get right (`*`: a number no rule names). */
static int
refuse (const struct device_rule *rules, size_t n_rules, tong_error *err)
{
  struct space s;
  struct mismatch m = { 0 };
  size_t n = 1;
  char where[96], device[64], major[24] = "*", minor[24] = "*", acc[4], one[4], other[4];
  size_t t, i, j;
  int r;

  for (;; n++)
    {
      space_init (&s, rules, n);
      if (!solve (&s, &m) || n == n_rules)
        break;
      space_free (&s);
    }
  index_split (&s, m.cls, &t, &i, &j);
  if (i < s.majors.n)
    snprintf (major, sizeof major, "%lld", (long long) s.majors.v[i]);
  if (j < s.minors.n)
    snprintf (minor, sizeof minor, "%lld", (long long) s.minors.v[j]);
  if (rules[n - 1].source == DEVICE_RULE_SPEC)
    snprintf (where, sizeof where, FIELD "[%zu]", rules[n - 1].index);
  else if (rules[n - 1].source == DEVICE_RULE_DEVICE)
    snprintf (where, sizeof where, "linux.devices[%zu]", rules[n - 1].index);
  else
    snprintf (where, sizeof where, FIELD " (with the devices every container may use)");
  snprintf (device, sizeof device, "%c %s:%s", t ? 'c' : 'b', major, minor);
  if (m.combination && !m.one)
    r = tong_err (err, 0, "%s: cgroup v1 cannot express the device rules exactly: no list found",
                  where);
  else if (m.combination)
    r = tong_err (err, 0,
                  "%s: cgroup v1 cannot express the device rules exactly: for %s they allow "
                  "`%s` and `%s` but not `%s` at once, and cgroup v1 keeps one set of accesses "
                  "per device pattern",
                  where, device, access_text (m.one, one), access_text (m.other, other),
                  access_text (m.access, acc));
  else
    r = tong_err (err, 0,
                  "%s: cgroup v1 cannot express the device rules exactly: for %s they %s `%s`, "
                  "and cgroup v1 would %s it (its list cannot except one device from a pattern "
                  "with a wildcard)",
                  where, device, m.v1_allows ? "refuse" : "allow", access_text (m.access, acc),
                  m.v1_allows ? "allow" : "refuse");
  space_free (&s);
  return r;
}

int
devices_plan_v1 (const struct oci_device_cgroup *rules, size_t n_rules,
                 const struct oci_device *devices, size_t n_devices, struct cgroup_plan *plan,
                 tong_error *err)
{
  _cleanup_free_ struct device_rule *all = NULL;
  struct space s;
  struct mismatch m;
  size_t n = 0;
  bool needed;
  int r;

  r = device_rules_collect (rules, n_rules, devices, n_devices, &all, &n, &needed, err);
  if (r < 0 || !needed)
    return r;
  space_init (&s, all, n);
  if (!solve (&s, &m))
    {
      space_free (&s);
      return refuse (all, n, err);
    }
  prune (&s);
  add_writes (&s, plan);
  space_free (&s);
  return 0;
}
