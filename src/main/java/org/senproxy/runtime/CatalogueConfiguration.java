package org.senproxy.runtime;

import org.apache.camel.CamelContext;
import org.senproxy.catalogue.Catalogue;
import org.senproxy.federation.FederationCodec;

/**
 * The catalogue of the series the loaded connectors declare ({@code catalogue}, routes/catalogue.camel.yaml), which
 * also describes the series of every data message the codec writes (its Quoalise meta element).
 */
final class CatalogueConfiguration {

    private CatalogueConfiguration() {}

    static Catalogue bind(CamelContext context, FederationCodec codec) {
        // read lazily: the connectors' declarations are loaded with their route files, after these beans
        Catalogue catalogue = new Catalogue(context);
        context.getRegistry().bind("catalogue", catalogue);
        codec.describingSeriesWith(catalogue::find);
        return catalogue;
    }
}
