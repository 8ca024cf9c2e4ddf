package io.github.tsm4j.data.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.ResizeMethod;
import org.junit.jupiter.api.Test;

/** The resize method in {@link InputSpec}: default, old constructor, JSON of older model files. */
class InputSpecResizeTest {

    @Test
    void defaultIsPillowBilinearAndTheOldConstructorStillWorks() {
        InputSpec old = new InputSpec(8, 224, 256, InputSpec.IMAGENET_MEAN, InputSpec.IMAGENET_STD);
        assertEquals(ResizeMethod.PIL_BILINEAR, old.resizeMethod());
        assertEquals(InputSpec.imageNet(8), old);
        assertEquals(ResizeMethod.OPENCV, old.withResizeMethod(ResizeMethod.OPENCV).withSize(112, 128)
                .withSegments(4).resizeMethod());
        assertEquals(ResizeMethod.PIL_BILINEAR,
                new InputSpec(8, 224, 256, InputSpec.IMAGENET_MEAN, InputSpec.IMAGENET_STD, null).resizeMethod());
    }

    @Test
    void jsonWithoutTheFieldLoadsWithTheDefaultAndTheFieldRoundTrips() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String old = "{\"segments\":8,\"cropSize\":224,\"scaleSize\":256,"
                + "\"mean\":[0.485,0.456,0.406],\"std\":[0.229,0.224,0.225]}";
        assertEquals(InputSpec.imageNet(8), json.readValue(old, InputSpec.class));
        InputSpec cv = InputSpec.imageNet(8).withResizeMethod(ResizeMethod.OPENCV);
        String written = json.writeValueAsString(cv);
        assertEquals(true, written.contains("\"resizeMethod\":\"OPENCV\""), written);
        assertEquals(cv, json.readValue(written, InputSpec.class));
    }
}
