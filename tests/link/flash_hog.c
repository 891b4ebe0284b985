// SPDX-License-Identifier: MIT
/* A constant table bigger than the board's flash (HOG_BYTES is set by
 * tests/link/run.sh): the link must fail with tidepool's FLASH message. */
const unsigned char flash_hog[HOG_BYTES] = {1};
