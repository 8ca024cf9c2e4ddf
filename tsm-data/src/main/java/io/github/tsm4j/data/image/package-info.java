/** RGB frames held on the Java heap ({@link io.github.tsm4j.data.image.RgbFrame}) and the OpenCV operations on them. */
package io.github.tsm4j.data.image;
