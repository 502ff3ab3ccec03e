/* fl-gif-lzw-reader.c: GIF's variable-length LZW, for the code sizes giflib refuses. */
#include "fl-gif-lzw-reader.h"

#include <string.h>

#define MAX_CODE_BITS 12u

static void
reset_table (FlGifLzwReader *lzw)
{
  lzw->code_size = lzw->min_size + 1;
  lzw->next_code = lzw->clear + 2;
  lzw->prev = -1;
}

void
fl_gif_lzw_reader_init (FlGifLzwReader *lzw, const guint8 *data, gsize length, gsize raster, guint min_size)
{
  memset (lzw, 0, sizeof *lzw);
  lzw->data = data;
  lzw->length = length;
  lzw->block = raster;
  lzw->min_size = CLAMP (min_size, 2, 11);
  lzw->clear = 1u << lzw->min_size;
  for (guint i = 0; i < lzw->clear; i++)
    {
      /* Codes past 255 stand for one pixel each; only their low byte is kept. */
      lzw->suffix[i] = lzw->first[i] = (guint8) i;
      lzw->length_of[i] = 1;
    }
  reset_table (lzw);
}

/* The next byte of the raster, or -1 at its terminator or the end of the file. */
static int
next_byte (FlGifLzwReader *lzw)
{
  while (lzw->n_bytes == 0)
    {
      guint n;

      if (lzw->ended || lzw->block >= lzw->length)
        {
          lzw->ended = TRUE;
          return -1;
        }
      n = lzw->data[lzw->block];
      if (n == 0 || n > lzw->length - lzw->block - 1)
        {
          /* The terminator (block stays on it for skip), or a block cut short. */
          lzw->ended = TRUE;
          return -1;
        }
      lzw->bytes = lzw->data + lzw->block + 1;
      lzw->n_bytes = n;
      lzw->block += n + 1;
    }
  lzw->n_bytes--;
  return *lzw->bytes++;
}

static int
next_code (FlGifLzwReader *lzw)
{
  while (lzw->n_bits < lzw->code_size)
    {
      int byte = next_byte (lzw);

      if (byte < 0)
        return -1;
      lzw->bits |= (guint32) byte << lzw->n_bits;
      lzw->n_bits += 8;
    }
  int code = (int) (lzw->bits & ((1u << lzw->code_size) - 1));

  lzw->bits >>= lzw->code_size;
  lzw->n_bits -= lzw->code_size;
  return code;
}

/* Puts code's string on the stack (it is in the table). */
static void
push_string (FlGifLzwReader *lzw, guint code)
{
  guint n = lzw->length_of[code];

  lzw->n_stack = n;
  while (n > 0)
    {
      lzw->stack[--n] = lzw->suffix[code];
      code = lzw->prefix[code];
    }
}

/* Decodes one code onto the stack. */
static FlGifLzwReadStatus
decode_code (FlGifLzwReader *lzw)
{
  for (;;)
    {
      int code = next_code (lzw);

      if (code < 0 || (guint) code == lzw->clear + 1)
        return FL_GIF_LZW_READ_END;
      if ((guint) code == lzw->clear)
        {
          reset_table (lzw);
          continue;
        }
      if (lzw->prev < 0)
        {
          if ((guint) code >= lzw->clear)
            return FL_GIF_LZW_READ_DAMAGED;
        }
      else if (lzw->next_code < FL_GIF_LZW_READ_MAX_CODES)
        {
          guint entry = lzw->next_code;

          if ((guint) code > entry)
            return FL_GIF_LZW_READ_DAMAGED;
          /* code == entry: the string being defined, prev's plus its own first pixel. */
          lzw->prefix[entry] = (guint16) lzw->prev;
          lzw->first[entry] = lzw->first[lzw->prev];
          lzw->suffix[entry] = (guint) code == entry ? lzw->first[lzw->prev] : lzw->first[code];
          lzw->length_of[entry] = lzw->length_of[lzw->prev] + 1;
          lzw->next_code++;
          if (lzw->next_code == (1u << lzw->code_size) && lzw->code_size < MAX_CODE_BITS)
            lzw->code_size++;
        }
      else if ((guint) code >= lzw->next_code)
        return FL_GIF_LZW_READ_DAMAGED;
      push_string (lzw, (guint) code);
      lzw->prev = code;
      return FL_GIF_LZW_READ_OK;
    }
}

FlGifLzwReadStatus
fl_gif_lzw_reader_read (FlGifLzwReader *lzw, guint8 *out, gsize n)
{
  while (n > 0)
    {
      FlGifLzwReadStatus status;
      guint take;

      if (lzw->n_stack == 0 && (status = decode_code (lzw)) != FL_GIF_LZW_READ_OK)
        return status;
      /* The stack holds a whole string; hand out its front. */
      take = (guint) MIN ((gsize) lzw->n_stack, n);
      memcpy (out, lzw->stack, take);
      memmove (lzw->stack, lzw->stack + take, lzw->n_stack - take);
      lzw->n_stack -= take;
      out += take;
      n -= take;
    }
  return FL_GIF_LZW_READ_OK;
}

gsize
fl_gif_lzw_reader_skip (FlGifLzwReader *lzw)
{
  gsize p = lzw->block;

  /* The rest of the current block was already passed over. */
  while (p < lzw->length)
    {
      guint n = lzw->data[p];

      if (n == 0)
        return p + 1;
      if (n > lzw->length - p - 1)
        return 0;
      p += n + 1;
    }
  return 0;
}
