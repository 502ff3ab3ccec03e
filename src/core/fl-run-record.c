/* fl-run-record.c: placeholder until the run-record module lands. */
#include "fl-run-record.h"
