/* fl-gif-lzw.c: a GIF LZW encoder whose code schedule is giflib's. */
#include "fl-gif-lzw.h"

#include <string.h>

#define MAX_CODE 4095u
#define HASH_BITS 13
#define HASH_SIZE (1u << HASH_BITS)
/* Up to this many bits a code, strings are found in a direct table, a row of
 * children per code (cleared when the code is made), instead of the hash. */
#define DIRECT_BITS 5
#define DIRECT_WIDTH (1u << DIRECT_BITS)

struct _FlGifLzw
{
  /* The string table: (prefix code << 8 | pixel) -> code, valid when its
   * stamp is the current generation. */
  guint32 keys[HASH_SIZE];
  guint32 stamps[HASH_SIZE];
  guint16 codes[HASH_SIZE];
  guint32 generation;
  guint16 children[MAX_CODE + 1][DIRECT_WIDTH]; /* 0: no such string */
  gboolean direct;
  /* The output: bits not yet a byte, and the sub-block being filled. */
  guint32 bit_buffer;
  guint bit_count;
  guint8 block[256];
  guint block_length;
  GByteArray *out;
  guint running_code, running_bits, max_code1, clear_code;
};

FlGifLzw *
fl_gif_lzw_new (void)
{
  return g_new0 (FlGifLzw, 1);
}

void
fl_gif_lzw_free (FlGifLzw *lzw)
{
  g_free (lzw);
}

static void
table_reset (FlGifLzw *lzw)
{
  if (++lzw->generation == 0)
    {
      memset (lzw->stamps, 0, sizeof lzw->stamps);
      lzw->generation = 1;
    }
}

static inline guint
table_slot (guint32 key)
{
  return (key * 0x9e3779b1u) >> (32 - HASH_BITS);
}

/* The code of the string prefix + pixel, or -1. */
static inline int
table_find (const FlGifLzw *lzw, guint32 key)
{
  if (lzw->direct)
    {
      guint16 code = lzw->children[key >> 8][key & (DIRECT_WIDTH - 1)];

      return code != 0 ? code : -1;
    }
  for (guint h = table_slot (key);; h = (h + 1) & (HASH_SIZE - 1))
    {
      if (lzw->stamps[h] != lzw->generation)
        return -1;
      if (lzw->keys[h] == key)
        return lzw->codes[h];
    }
}

static inline void
table_add (FlGifLzw *lzw, guint32 key, guint code)
{
  guint h;

  if (lzw->direct)
    {
      lzw->children[key >> 8][key & (DIRECT_WIDTH - 1)] = (guint16) code;
      memset (lzw->children[code], 0, sizeof lzw->children[code]);
      return;
    }
  h = table_slot (key);
  while (lzw->stamps[h] == lzw->generation)
    h = (h + 1) & (HASH_SIZE - 1);
  lzw->stamps[h] = lzw->generation;
  lzw->keys[h] = key;
  lzw->codes[h] = (guint16) code;
}

static inline void
put_byte (FlGifLzw *lzw, guint8 byte)
{
  lzw->block[1 + lzw->block_length++] = byte;
  if (lzw->block_length == 255)
    {
      lzw->block[0] = 255;
      g_byte_array_append (lzw->out, lzw->block, 256);
      lzw->block_length = 0;
    }
}

/* Writes code in the current width, then widens as giflib does: once the next
 * code to be assigned no longer fits. */
static inline void
put_code (FlGifLzw *lzw, guint code)
{
  lzw->bit_buffer |= (guint32) code << lzw->bit_count;
  lzw->bit_count += lzw->running_bits;
  while (lzw->bit_count >= 8)
    {
      put_byte (lzw, (guint8) lzw->bit_buffer);
      lzw->bit_buffer >>= 8;
      lzw->bit_count -= 8;
    }
  if (lzw->running_code >= lzw->max_code1 && code <= MAX_CODE)
    lzw->max_code1 = 1u << ++lzw->running_bits;
}

static void
restart (FlGifLzw *lzw, guint bits)
{
  lzw->running_code = lzw->clear_code + 2;
  lzw->running_bits = bits + 1;
  lzw->max_code1 = 1u << lzw->running_bits;
  lzw->direct = bits <= DIRECT_BITS;
  if (lzw->direct)
    /* The single pixels' rows; longer strings' rows are cleared as they are made. */
    memset (lzw->children, 0, sizeof lzw->children[0] * lzw->clear_code);
  else
    table_reset (lzw);
}

void
fl_gif_lzw_encode (FlGifLzw *lzw, const guint8 *indices, const guint8 *flexible,
                   guint alternative, gboolean prefer_alternative, gsize n, guint bits,
                   GByteArray *out)
{
  guint current;
  guint8 code_size;

  bits = MAX (bits, 2);
  code_size = (guint8) bits;
  g_byte_array_append (out, &code_size, 1);
  lzw->out = out;
  lzw->bit_buffer = 0;
  lzw->bit_count = 0;
  lzw->block_length = 0;
  lzw->clear_code = 1u << bits;
  restart (lzw, bits);
  put_code (lzw, lzw->clear_code);
  current = flexible != NULL && flexible[0] && prefer_alternative ? alternative : indices[0];
  for (gsize i = 1; i < n; i++)
    {
      guint pixel = indices[i];
      int next = table_find (lzw, (current << 8) | pixel);

      if (flexible != NULL && flexible[i])
        {
          /* Either index shows the same: keep matching with whichever the
           * table knows, the preferred one first, and start a new string with
           * the preferred one. */
          int other = table_find (lzw, (current << 8) | alternative);

          if (prefer_alternative ? other >= 0 || next < 0 : next < 0 && other >= 0)
            {
              next = other;
              pixel = alternative;
            }
        }
      if (next >= 0)
        {
          current = (guint) next;
          continue;
        }
      put_code (lzw, current);
      if (lzw->running_code >= MAX_CODE)
        {
          put_code (lzw, lzw->clear_code);
          restart (lzw, bits);
        }
      else
        table_add (lzw, (current << 8) | pixel, lzw->running_code++);
      current = pixel;
    }
  put_code (lzw, current);
  put_code (lzw, lzw->clear_code + 1);
  if (lzw->bit_count > 0)
    put_byte (lzw, (guint8) lzw->bit_buffer);
  if (lzw->block_length > 0)
    {
      lzw->block[0] = (guint8) lzw->block_length;
      g_byte_array_append (out, lzw->block, lzw->block_length + 1);
    }
  code_size = 0;
  g_byte_array_append (out, &code_size, 1);
  lzw->out = NULL;
}
