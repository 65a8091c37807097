#include "mmmodel.h"
