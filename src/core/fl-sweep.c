/* fl-sweep.c: placeholder until the sweep module lands. */
#include "fl-sweep.h"
