package org.senproxy.federation;

import java.io.IOException;

import org.jivesoftware.smack.provider.ExtensionElementProvider;
import org.jivesoftware.smack.provider.ProviderManager;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.xmlpull.v1.XmlPullParser;
import org.xmlpull.v1.XmlPullParserException;

/**
 * Keeps a received Quoalise data element ({@code <quoalise xmlns='urn:quoalise:0'>}) as the XML it came in, for
 * {@link FederationCodec#decode} to read its SenML once. Without it, Smack parses the element into a generic tree of
 * every {@code <senml>} element and its attributes, which decode then printed back to XML before reading it: two of the
 * three passes over each message's records, on the thread that checks every message (docs/benchmarks.md).
 *
 * <p>Smack's parser reports each start tag as written (XML round trip) and escapes text again, so the element is
 * well-formed XML whatever it holds; how it is read, and refused, is decode's business as before.
 */
public final class QuoaliseDataProvider extends ExtensionElementProvider<XmlExtension> {

    /** Registers the provider with Smack, for every connection of this JVM; done once by the proxy's beans. */
    public static void register() {
        ProviderManager.addExtensionProvider(
                "quoalise", FederationCodec.QUOALISE_NAMESPACE, new QuoaliseDataProvider());
    }

    @Override
    public XmlExtension parse(XmlPullParser parser, int initialDepth) throws XmlPullParserException, IOException {
        return new XmlExtension(
                "quoalise",
                FederationCodec.QUOALISE_NAMESPACE,
                PacketParserUtils.parseElement(parser).toString());
    }
}
