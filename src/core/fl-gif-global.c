/* fl-gif-global.c: the global colour table from samples of the animation.
 *
 * Counting colours alone (the 256 on the most changed pixels) serves few
 * frames of an antialiased screen recording: its 1,176 colours are the shades
 * of seven inks, a frame types a few letters of one ink and needs all of
 * their shades, so a table of the commonest shades of every ink holds every
 * colour of almost no frame. What saves bytes is whole frames served, so the
 * chooser keeps each sample's colour set and covers sets (see the header).
 */
#include "fl-gif-global.h"

#include <string.h>

/* Colours kept while choosing: noise would bring millions. */
#define SEEN_MAX 65536u

typedef struct
{
  guint32 key;
  guint32 seq;          /* order of appearance */
  guint64 count;        /* changed pixels of the samples it is on, before or after */
  guint32 last_sample;  /* the sample whose set has it last, + 1 */
  guint32 chosen;       /* 0, or the round of choose_sets that chose it, + 1 */
} Seen;

typedef struct
{
  guint start, length;  /* its colours in members */
  guint64 pixels;       /* its changed pixels */
  gboolean overflow;    /* more than a table's colours: no table serves it */
} Sample;

struct _FlGifGlobalChooser
{
  GHashTable *index;    /* key + 1 -> index in seen (keys below 2^25: never 0) */
  GArray *seen;         /* Seen */
  GArray *members;      /* guint32 indices into seen, the samples' sets one after another */
  GArray *samples;      /* Sample */
  gboolean refused;
};

FlGifGlobalChooser *
fl_gif_global_chooser_new (void)
{
  FlGifGlobalChooser *chooser = g_new0 (FlGifGlobalChooser, 1);

  chooser->index = g_hash_table_new (g_direct_hash, g_direct_equal);
  chooser->seen = g_array_new (FALSE, FALSE, sizeof (Seen));
  chooser->members = g_array_new (FALSE, FALSE, sizeof (guint32));
  chooser->samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  return chooser;
}

void
fl_gif_global_chooser_free (FlGifGlobalChooser *chooser)
{
  if (chooser == NULL)
    return;
  g_hash_table_unref (chooser->index);
  g_array_unref (chooser->seen);
  g_array_unref (chooser->members);
  g_array_unref (chooser->samples);
  g_free (chooser);
}

/* The colour's entry, made when there is room; NULL past SEEN_MAX colours. */
static Seen *
lookup (FlGifGlobalChooser *chooser, guint32 key)
{
  gpointer index;

  if (g_hash_table_lookup_extended (chooser->index, GUINT_TO_POINTER (key + 1), NULL, &index))
    return &g_array_index (chooser->seen, Seen, GPOINTER_TO_UINT (index));
  if (chooser->seen->len >= SEEN_MAX)
    return NULL;
  g_hash_table_insert (chooser->index, GUINT_TO_POINTER (key + 1),
                       GUINT_TO_POINTER (chooser->seen->len));
  g_array_append_val (chooser->seen, ((Seen) { key, chooser->seen->len, 0, 0, 0 }));
  return &g_array_index (chooser->seen, Seen, chooser->seen->len - 1);
}

/* Puts key in the current sample's set; the set overflows past 256 colours. */
static void
add_member (FlGifGlobalChooser *chooser, Sample *sample, guint32 key, gboolean counted)
{
  const guint32 number = chooser->samples->len; /* the current sample's, + 1 */
  Seen *seen = lookup (chooser, key);
  guint32 index;

  if (seen == NULL)
    {
      sample->overflow = TRUE;
      return;
    }
  if (counted)
    seen->count++;
  if (seen->last_sample == number || sample->overflow)
    return;
  seen->last_sample = number;
  if (sample->length == FL_GIF_PALETTE_MAX)
    {
      sample->overflow = TRUE;
      return;
    }
  index = (guint32) (seen - (Seen *) chooser->seen->data);
  g_array_append_val (chooser->members, index);
  sample->length++;
}

gboolean
fl_gif_global_chooser_add (FlGifGlobalChooser *chooser, const FlGifSource *frame,
                           const FlGifSource *before, gboolean refuse_photo_like)
{
  Sample sample = { chooser->members->len, 0, 0, FALSE };

  if (chooser->refused)
    return FALSE;
  /* The sample's number for add_member's marks, before its pixels. */
  g_array_set_size (chooser->samples, chooser->samples->len + 1);
  for (guint y = 0; y < frame->height; y++)
    for (guint x = 0; x < frame->width; x++)
      {
        /* Past 256 colours the first frame serves no table: its other colours
         * would only be counted, and a photo has a hundred thousand. */
        if (before == NULL && sample.overflow)
          break;
        guint32 key = frame->keys[(gsize) y * frame->width + x];
        guint32 old = before != NULL && x < before->width && y < before->height
                        ? before->keys[(gsize) y * before->width + x]
                        : FL_GIF_KEY_TRANSPARENT;

        if (before == NULL)
          {
            if (key != FL_GIF_KEY_TRANSPARENT)
              add_member (chooser, &sample, key, FALSE);
            continue;
          }
        /* What changes is what frames draw; the colours they cover count too,
         * for the order of the entries. */
        if (key == old)
          continue;
        sample.pixels++;
        if (key != FL_GIF_KEY_TRANSPARENT)
          add_member (chooser, &sample, key, TRUE);
        if (old != FL_GIF_KEY_TRANSPARENT)
          {
            Seen *seen = lookup (chooser, old);

            if (seen != NULL)
              seen->count++;
          }
      }
  /* A first frame of more than 256 colours: a shared table would not serve
   * it, and the animation is photo-like. */
  if (before == NULL && sample.overflow && refuse_photo_like)
    {
      chooser->refused = TRUE;
      return FALSE;
    }
  if (sample.overflow)
    g_array_set_size (chooser->members, sample.start);
  g_array_index (chooser->samples, Sample, chooser->samples->len - 1) = sample;
  return TRUE;
}

/* What a local table of n colours and a transparent entry takes. */
static guint
table_bytes (guint n)
{
  guint bits = 1;

  while ((1u << bits) < n + 1)
    bits++;
  return 3u << bits;
}

/* Marks the colours of the sets that save the most table bytes per colour
 * added, best first (ties: the earlier sample), until no other set fits;
 * returns how many colours are chosen. */
static guint
choose_sets (FlGifGlobalChooser *chooser)
{
  const guint32 *members = (const guint32 *) chooser->members->data;
  Seen *seen = (Seen *) chooser->seen->data;
  g_autofree gboolean *covered = g_new0 (gboolean, chooser->samples->len);
  guint n_chosen = 0, round = 0;

  for (;;)
    {
      guint best = G_MAXUINT, best_new = 0, best_saving = 0;

      for (guint s = 0; s < chooser->samples->len; s++)
        {
          const Sample *sample = &g_array_index (chooser->samples, Sample, s);
          guint new = 0, saving;

          if (covered[s] || sample->overflow)
            continue;
          for (guint m = 0; m < sample->length; m++)
            new += seen[members[sample->start + m]].chosen ? 0 : 1;
          if (new == 0)
            {
              covered[s] = TRUE;
              continue;
            }
          if (n_chosen + new > FL_GIF_PALETTE_MAX)
            continue;
          saving = table_bytes (sample->length);
          if (best == G_MAXUINT || (guint64) saving * best_new > (guint64) best_saving * new)
            best = s, best_new = new, best_saving = saving;
        }
      if (best == G_MAXUINT)
        return n_chosen;
      const Sample *sample = &g_array_index (chooser->samples, Sample, best);
      round++;
      for (guint m = 0; m < sample->length; m++)
        if (!seen[members[sample->start + m]].chosen)
          seen[members[sample->start + m]].chosen = round;
      n_chosen += best_new;
      covered[best] = TRUE;
    }
}

static gboolean
fits_all (FlGifGlobalChooser *chooser)
{
  for (guint s = 0; s < chooser->samples->len; s++)
    if (g_array_index (chooser->samples, Sample, s).overflow)
      return FALSE;
  return chooser->seen->len <= FL_GIF_PALETTE_MAX;
}

gboolean
fl_gif_global_chooser_wants_more (FlGifGlobalChooser *chooser)
{
  const guint32 *members = (const guint32 *) chooser->members->data;
  Seen *seen = (Seen *) chooser->seen->data;
  guint served = 0;

  if (chooser->refused || fits_all (chooser))
    return FALSE;
  choose_sets (chooser);
  for (guint s = 0; s < chooser->samples->len; s++)
    {
      const Sample *sample = &g_array_index (chooser->samples, Sample, s);
      gboolean whole = !sample->overflow;

      for (guint m = 0; m < sample->length && whole; m++)
        whole = seen[members[sample->start + m]].chosen != 0;
      served += whole;
    }
  for (guint i = 0; i < chooser->seen->len; i++)
    seen[i].chosen = 0;
  return 4 * served >= chooser->samples->len;
}

/* Chosen colours first; then, by rounds, in the order their frames were
 * chosen (among colours chosen together by changed pixels); then by changed
 * pixels (most first), then by appearance. */
static int
compare_seen (const Seen *x, const Seen *y, gboolean by_rounds)
{
  if ((x->chosen != 0) != (y->chosen != 0))
    return x->chosen != 0 ? -1 : 1;
  if (by_rounds && x->chosen != y->chosen)
    return x->chosen < y->chosen ? -1 : 1;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
compare_by_count (gconstpointer a, gconstpointer b)
{
  return compare_seen (a, b, FALSE);
}

static int
compare_by_rounds (gconstpointer a, gconstpointer b)
{
  return compare_seen (a, b, TRUE);
}

guint
fl_gif_code_bits (guint max_index)
{
  guint bits = 2;

  while ((1u << bits) <= max_index)
    bits++;
  return bits;
}

/* Roughly what the served samples' LZW codes cost with the colours in that
 * order: a code per changed pixel, as wide as the sample's largest index
 * needs. By count suits a few colours drawn everywhere, by rounds frames
 * that each draw their own group (an ink's shades). */
static guint64
order_cost (FlGifGlobalChooser *chooser, GCompareFunc compare)
{
  const guint n = chooser->seen->len;
  g_autoptr (GArray) sorted = g_array_sized_new (FALSE, FALSE, sizeof (Seen), n);
  g_autofree guint32 *rank = g_new (guint32, n);
  const guint32 *members = (const guint32 *) chooser->members->data;
  guint64 cost = 0;

  g_array_append_vals (sorted, chooser->seen->data, n);
  g_array_sort (sorted, compare);
  /* seq is a colour's index in seen (the order of appearance). */
  for (guint k = 0; k < n; k++)
    rank[g_array_index (sorted, Seen, k).seq] = k;
  for (guint s = 0; s < chooser->samples->len; s++)
    {
      const Sample *sample = &g_array_index (chooser->samples, Sample, s);
      guint max_rank = 0;
      gboolean served = !sample->overflow;

      for (guint m = 0; m < sample->length && served; m++)
        {
          served = g_array_index (chooser->seen, Seen, members[sample->start + m]).chosen != 0;
          max_rank = MAX (max_rank, rank[members[sample->start + m]]);
        }
      if (served)
        cost += sample->pixels * fl_gif_code_bits (max_rank);
    }
  return cost;
}

gboolean
fl_gif_global_chooser_choose (FlGifGlobalChooser *chooser, FlGifPalette *table)
{
  guint n_chosen, limit, bits = 1;

  memset (table, 0, sizeof *table);
  if (chooser->refused || chooser->seen->len == 0)
    return FALSE;
  n_chosen = choose_sets (chooser);
  /* The entries the table has room for anyway, one kept free for the frames
   * that draw every chosen colour and need a transparent one; with no set
   * served, the 256 colours on the most changed pixels. */
  while ((1u << bits) < MIN (n_chosen + 1, FL_GIF_PALETTE_MAX))
    bits++;
  limit = n_chosen == 0 ? FL_GIF_PALETTE_MAX : MAX ((1u << bits) - 1, n_chosen);
  g_array_sort (chooser->seen,
                order_cost (chooser, compare_by_rounds) < order_cost (chooser, compare_by_count)
                  ? compare_by_rounds
                  : compare_by_count);
  table->n_entries = MIN (chooser->seen->len, limit);
  for (guint i = 0; i < table->n_entries; i++)
    {
      guint32 key = g_array_index (chooser->seen, Seen, i).key;

      table->rgb[i * 3] = (guint8) (key >> 16);
      table->rgb[i * 3 + 1] = (guint8) (key >> 8);
      table->rgb[i * 3 + 2] = (guint8) key;
    }
  /* Sorted: the index and the sets no longer hold. */
  g_hash_table_remove_all (chooser->index);
  g_array_set_size (chooser->members, 0);
  g_array_set_size (chooser->samples, 0);
  table->transparent_index = -1;
  table->bits = 1;
  while ((1u << table->bits) < MIN (table->n_entries + 1, FL_GIF_PALETTE_MAX))
    table->bits++;
  return TRUE;
}
